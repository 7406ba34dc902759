"""Algorithms of the toolbox group "2 巡田网格": building the grid and checking its coverage."""
