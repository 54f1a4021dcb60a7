// Keeps a globbed target valid while its folder has no sources yet.
