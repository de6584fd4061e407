# A library file for include.csc: parameters, a dictionary and a block, no
# model. It includes its neighbour by a path relative to itself.
include "include-lib2.csc";

param lib_w = 4;

dict lib_dict(d) = [identity, conv(lib_w, 3, dilation = d, padding = d)];
