"""Algorithms of the toolbox group "6 州库共享": publishing a county desk's store into the prefecture's shared
PostGIS store and pulling a desk store from it."""
