# A parameter may be a word passed on to an option that takes one (the
# paper examples' `param bn = none;`): -D overrides it with another word,
# and the summary lists it. An override of another kind fails at the -D; a
# word where a number is needed fails where it is used.
# RUN: cscc --emit=mlir %s | FileCheck %s --check-prefix=DEFAULT
# RUN: cscc --emit=mlir %s -D solver=fista -D norm=prox | FileCheck %s --check-prefix=OVERRIDE
# RUN: cscc summary %s -D solver=fista | FileCheck %s --check-prefix=SUMMARY
# RUN: not cscc summary %s -D norm=3 2>&1 | FileCheck %s --check-prefix=KIND
# RUN: not cscc summary %s -D depth=prox 2>&1 | FileCheck %s --check-prefix=KIND2
# RUN: not cscc summary %s -D solver=newton 2>&1 | FileCheck %s --check-prefix=BADWORD
# RUN: sed 's/for i in 0..depth/for i in 0..solver/' %s > %t.csc && not cscc summary %t.csc 2>&1 | FileCheck %s --check-prefix=USE

param depth = 1;
param solver = ista;
param norm = none;

model m {
  input [1, 8, 8];
  for i in 0..depth {
    pursuit([conv(4, 3, padding = 1)], unfold = 2, solver = solver, bn = norm);
  }
}

# DEFAULT: bn = #csc<bn none>
# DEFAULT-SAME: solver = #csc<solver ista>
# OVERRIDE: bn = #csc<bn prox>
# OVERRIDE-SAME: solver = #csc<solver fista>
# SUMMARY: parameters: depth=1 solver=fista norm=none{{$}}
# KIND: <command line>:1:9: error: -D norm: the parameter is the word 'none' (an option's value), and the override is a number
# KIND: help: give a word, e.g. -D norm=none
# KIND2: <command line>:1:10: error: unknown name 'prox'
# BADWORD: word-params.csc:20:61: error: unknown value 'newton' for 'solver'
# BADWORD: help: 'solver' takes 'ista' or 'fista'
# USE: error: expected a number, but 'solver' is the word 'ista'
