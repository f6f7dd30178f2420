// nn/ops.hpp — every op of the tape, one definition each: nn/ops/<name>.hpp holds its name, its shape check and its
// value, reverse (VJP) and forward (JVP) kernels under one comment line with the math. This file only includes them.
#pragma once

#include "nn/ops/leaf.hpp"
#include "nn/ops/matmul.hpp"
#include "nn/ops/add_bias.hpp"
#include "nn/ops/add.hpp"
#include "nn/ops/sub.hpp"
#include "nn/ops/mul.hpp"
#include "nn/ops/scale.hpp"
#include "nn/ops/relu.hpp"
#include "nn/ops/sigmoid.hpp"
#include "nn/ops/tanh.hpp"
#include "nn/ops/leaky_relu.hpp"
#include "nn/ops/gelu.hpp"
#include "nn/ops/softmax.hpp"
#include "nn/ops/log_softmax.hpp"
#include "nn/ops/softmax_cross_entropy.hpp"
#include "nn/ops/mse.hpp"
#include "nn/ops/sum.hpp"
#include "nn/ops/mean.hpp"
