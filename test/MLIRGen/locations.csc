# MLIRGen gives each op the source location of its layer, named after it.
# RUN: cscc --debuginfo %s | FileCheck %s

model tiny {
  input [2, 8, 8];
  c1 = conv(4, 3, padding = 1);
  relu;
  p = pursuit([identity, conv(6, 3, padding = 1)], unfold = 1);
  global_avgpool;
  loss cross_entropy;
}

# CHECK: csc.param "c1.weight" {{.*}} loc(#[[C1:loc[0-9]*]])
# CHECK: csc.conv {{.*}} loc(#[[C1]])
# CHECK: csc.relu {{.*}} loc(#[[RELU:loc[0-9]*]])
# CHECK: csc.identity {{.*}} loc(#[[ID:loc[0-9]*]])
# CHECK: csc.param "p.dict.1.weight" {{.*}} loc(#[[F:loc[0-9]*]])
# CHECK: csc.pursuit {{.*}} loc(#[[P:loc[0-9]*]])
# CHECK: csc.cross_entropy {{.*}} loc(#[[LOSS:loc[0-9]*]])
# CHECK: #[[C1F:loc[0-9]+]] = loc("{{.*}}locations.csc":6:8)
# CHECK: #[[RELUF:loc[0-9]+]] = loc("{{.*}}locations.csc":7:3)
# CHECK: #[[IDF:loc[0-9]+]] = loc("{{.*}}locations.csc":8:16)
# CHECK: #[[FF:loc[0-9]+]] = loc("{{.*}}locations.csc":8:26)
# CHECK: #[[PF:loc[0-9]+]] = loc("{{.*}}locations.csc":8:7)
# CHECK: #[[LOSSF:loc[0-9]+]] = loc("{{.*}}locations.csc":10:3)
# CHECK-DAG: #[[C1]] = loc("c1"(#[[C1F]]))
# CHECK-DAG: #[[RELU]] = loc("relu{{[0-9]*}}"(#[[RELUF]]))
# CHECK-DAG: #[[ID]] = loc("p.dict.0"(#[[IDF]]))
# CHECK-DAG: #[[F]] = loc("p.dict.1.weight"(#[[FF]]))
# CHECK-DAG: #[[P]] = loc("p"(#[[PF]]))
# CHECK-DAG: #[[LOSS]] = loc("loss"(#[[LOSSF]]))
