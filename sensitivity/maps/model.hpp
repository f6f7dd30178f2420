// sensitivity/maps/model.hpp — what the maps need of a model: a tape holding its parameters, and a forward pass that
// records logits on it. Not a model itself: the MLP (nn/mlp.hpp), a deeper stack or a loaded graph provides these.
#pragma once

#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "nn/activation.hpp"
#include "nn/linear.hpp"
#include "nn/tape.hpp"

namespace sensitivity::maps {

// To the maps, a model of precision T is any object m with
//     m.tape()          nn::Tape<T>&, the tape its parameters are leaves of; a map records after them and rewinds
//     m.parameters()    those leaves (std::vector<nn::Var>), frozen while a map records (nn::FrozenLeaves)
//     m.logits(x)       records the forward pass of an input leaf x [B, in] on m.tape() and returns the logits [B, out]
//     m.in(), m.out()   the input width and the number of outputs
// and, if it is a stack of dense layers with one activation between them, also
//     m.layers()        the dense layers in order (std::vector<nn::Linear>), and m.activation (nn::Activation)
// which only the maps that look inside the network use: kink-aware Integrated Gradients (exact_ig.hpp), the relu-kink
// rule of the finite-difference check (fd_check.hpp) and the cascading sanity check (evaluation.hpp).
namespace detail {
template <class M, class = void>
struct is_model : std::false_type {};
template <class M>
struct is_model<M, std::void_t<decltype(std::declval<M&>().tape()), decltype(std::declval<M&>().logits(nn::Var{}))>>
    : std::true_type {};
template <class M, class = void>
struct has_layers : std::false_type {};
template <class M>
struct has_layers<M, std::void_t<decltype(std::declval<const M&>().layers()), decltype(std::declval<const M&>().activation)>>
    : std::true_type {};
}  // namespace detail

// Those members of one model, read when a map is called. Holds a reference: the model must outlive the view.
template <class T>
struct ModelView {
    nn::Tape<T>* tape = nullptr;
    std::vector<nn::Var> parameters;
    std::function<nn::Var(nn::Var)> logits;             // one call per recorded forward pass, never per element
    std::size_t in = 0, out = 0;
    std::vector<nn::Linear> layers;                     // empty: not a stack of dense layers
    nn::Activation activation = nn::Activation::Relu;   // between the layers, when there are layers

    ModelView() = default;
    // Implicit on purpose: maps::jacobian(model, x) takes the MLP, or any class with the members above, as it is.
    template <class M, class = std::enable_if_t<detail::is_model<M>::value &&
                                                !std::is_same_v<std::remove_const_t<M>, ModelView>>>
    ModelView(M& m)
        : tape(&m.tape()), parameters(m.parameters()), logits([&m](nn::Var x) { return m.logits(x); }),
          in(m.in()), out(m.out()) {
        if constexpr (detail::has_layers<M>::value) {
            layers = m.layers();
            activation = m.activation;
        }
    }
};

// What the maps' functions take. Model<T> is ModelView<T> named through a member type, so that a call like
// jacobian(model, x) deduces T from the input tensor alone and then converts the model, whatever its class.
template <class T>
struct ModelParameter {
    using type = ModelView<T>;
};
template <class T>
using Model = typename ModelParameter<T>::type;

}  // namespace sensitivity::maps
