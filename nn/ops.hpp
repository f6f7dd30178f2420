// nn/ops.hpp — the list of ops: one line per op, its registration. Each nn/ops/<name>.hpp holds its enumerator, name,
// shape check and value, reverse (VJP) and forward (JVP) kernels under one comment line with the math.
// No include guard on purpose: nn/op.hpp reads this list inside enum class Op (see there), the tape reads it for the
// definitions. The order is the enum's, printed op numbers depend on it: a new op goes at the end.
#include "nn/ops/leaf.hpp"                   // Leaf: an input or a parameter, no inputs, no backward
#include "nn/ops/matmul.hpp"                 // MatMul: a·b
#include "nn/ops/add_bias.hpp"               // AddBias: a + b, b one row broadcast over the batch
#include "nn/ops/add.hpp"                    // Add: a + b
#include "nn/ops/sub.hpp"                    // Sub: a - b
#include "nn/ops/mul.hpp"                    // Mul: a * b, elementwise
#include "nn/ops/scale.hpp"                  // Scale: c * a, c a constant
#include "nn/ops/relu.hpp"                   // Relu: max(a, 0)
#include "nn/ops/sigmoid.hpp"                // Sigmoid: 1 / (1 + e^-a)
#include "nn/ops/tanh.hpp"                   // Tanh: tanh(a)
#include "nn/ops/leaky_relu.hpp"             // LeakyRelu: a > 0 ? a : c·a, c the slope
#include "nn/ops/gelu.hpp"                   // Gelu: a·Φ(a), the exact (erf) GELU
#include "nn/ops/softmax.hpp"                // Softmax: row-wise
#include "nn/ops/log_softmax.hpp"            // LogSoftmax: row-wise
#include "nn/ops/softmax_cross_entropy.hpp"  // SoftmaxCrossEntropy: mean over rows of -log softmax(a)[row, label]
#include "nn/ops/mse.hpp"                    // Mse: mean((a - b)²)
#include "nn/ops/sum.hpp"                    // Sum: Σ a
#include "nn/ops/mean.hpp"                   // Mean: Σ a / n
