# Included from include-lib.csc (relative to Inputs/) and again from
# include.csc: read once, so 'lib_block' is not declared twice.
block lib_block(c) {
  conv(c, 1);
  relu;
}
