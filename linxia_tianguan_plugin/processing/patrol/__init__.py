"""Algorithms of the toolbox group "3 田管员与巡田任务": roster, tasks, tracks, patrols, coverage and the field
package."""
