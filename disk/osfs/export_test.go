package osfs

// MapErrForTest exposes mapErr to the external test package.
var MapErrForTest = mapErr
