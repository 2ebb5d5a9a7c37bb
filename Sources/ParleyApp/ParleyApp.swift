// The Parley app: commands, configuration, presenter, front ends.
