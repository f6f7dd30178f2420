// sensitivity/maps/gradient_x_input.cpp — gradient × input from one class-gradient map per image.
// The gradient is the tape's (jacobian.cpp); this file only multiplies by x.
#include "sensitivity/maps/gradient_x_input.hpp"

#include <xtensor/xnoalias.hpp>

#include "sensitivity/maps/sample_gradients.hpp"

namespace sensitivity::maps {

template <class T>
nn::Tensor<T> gradient_times_input(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                                   Output out) {
    check_targets(model, x, targets, "gradient_times_input");
    nn::Tensor<T> g = class_gradient(model, x, targets, out);           // [N, D]
    xt::noalias(g) = g * x;
    return g;
}

template nn::Tensor<float> gradient_times_input(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, Output);
template nn::Tensor<double> gradient_times_input(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                                 Output);

}  // namespace sensitivity::maps
