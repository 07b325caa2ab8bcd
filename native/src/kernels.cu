// The one translation unit nvcc compiles: every kernel family in one fatbin (cubins for sm_80
// and sm_90, PTX for newer GPUs), loaded by backend.cuda with cuModuleLoadData.
#include "elementwise.cu"
#include "random.cu"
#include "reduce.cu"
#include "softmax.cu"
#include "index.cu"
#include "pool.cu"
#include "roi.cu"
#include "nms.cu"
#include "norm.cu"
#include "loss.cu"
#include "optim.cu"
#include "rnn.cu"
