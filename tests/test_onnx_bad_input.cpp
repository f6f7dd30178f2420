// tests/test_onnx_bad_input.cpp — every way an ONNX file can be wrong gets one line naming the file and what to do.
// Hand-built ModelProtos (a valid 3-4-2 net, then one thing broken or varied) and tiny files; each message is asserted.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <onnx/onnx_pb.h>

#include "nn/onnx/read.hpp"
#include "nn/onnx/record.hpp"

namespace {

const std::string kSource = "bad.onnx";

void add_initializer(::onnx::GraphProto& g, const std::string& name, std::vector<std::int64_t> dims,
                     const std::vector<float>& values) {
    ::onnx::TensorProto* t = g.add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t->add_dims(d);
    for (float v : values) t->add_float_data(v);
}

::onnx::NodeProto* add_node(::onnx::GraphProto& g, const std::string& op, std::vector<std::string> in,
                            const std::string& out) {
    ::onnx::NodeProto* n = g.add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(g.node_size() - 1));
    for (const auto& i : in) n->add_input(i);
    n->add_output(out);
    return n;
}

void add_value(google::protobuf::RepeatedPtrField<::onnx::ValueInfoProto>* list, const std::string& name,
               std::int64_t width) {
    ::onnx::ValueInfoProto* v = list->Add();
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(::onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("N");
    tt->mutable_shape()->add_dim()->set_dim_value(width);
}

// x [N, 3] -> Gemm(W1 [4, 3], transB=1) -> Relu -> Gemm(W2 [2, 4], transB=1) -> y [N, 2]; opset 13. It reads.
::onnx::ModelProto small_model() {
    ::onnx::ModelProto m;
    m.set_ir_version(8);
    auto* op = m.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    ::onnx::GraphProto& g = *m.mutable_graph();
    add_value(g.mutable_input(), "x", 3);
    add_value(g.mutable_output(), "y", 2);
    std::vector<float> w1(12), w2(8);
    for (std::size_t i = 0; i < w1.size(); ++i) w1[i] = 0.1f * float(i) - 0.5f;
    for (std::size_t i = 0; i < w2.size(); ++i) w2[i] = 0.2f * float(i) - 0.7f;
    add_initializer(g, "W1", {4, 3}, w1);
    add_initializer(g, "b1", {4}, {0.1f, 0.2f, 0.3f, 0.4f});
    add_initializer(g, "W2", {2, 4}, w2);
    add_initializer(g, "b2", {2}, {0.5f, -0.5f});
    for (const char* w : {"W1", "W2"}) {
        auto* n = add_node(g, "Gemm", {w == std::string("W1") ? "x" : "h", w, w == std::string("W1") ? "b1" : "b2"},
                           w == std::string("W1") ? "z" : "y");
        auto* a = n->add_attribute();
        a->set_name("transB");
        a->set_type(::onnx::AttributeProto::INT);
        a->set_i(1);
        if (w == std::string("W1")) add_node(g, "Relu", {"z"}, "h");
    }
    return m;
}

// The one-line message reading `m` throws, or "" if it reads.
std::string error_of(const ::onnx::ModelProto& m) {
    try {
        nn::onnx::read_model(m, kSource);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

std::string error_of_bytes(const std::string& bytes) {
    try {
        nn::onnx::parse_onnx(bytes, kSource);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

// Every message: one line, starts with the file's name.
void check_message(const std::string& msg, const std::vector<std::string>& parts) {
    std::printf("  %s\n", msg.c_str());
    REQUIRE_FALSE(msg.empty());
    CHECK(msg.rfind(kSource + ": ", 0) == 0);
    CHECK(msg.find('\n') == std::string::npos);
    for (const auto& p : parts) CHECK_MESSAGE(msg.find(p) != std::string::npos, "missing '" << p << "' in: " << msg);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string fixture(const std::string& name) {
    const char* dir = std::getenv("NNSENSE_FIXTURES");
    REQUIRE(dir);
    return std::string(dir) + "/onnx/" + name;
}

}  // namespace

TEST_CASE("the hand-built 3-4-2 model reads (so each case below fails for its one broken thing)") {
    const nn::onnx::DenseStack s = nn::onnx::read_model(small_model(), kSource);
    CHECK(nn::onnx::describe(s) == "3-4-2 (relu, identity; head none)");
    CHECK(s.layers[0].W(1, 0) == doctest::Approx(-0.4));  // W1 [4, 3] row 0 = (-0.5, -0.4, -0.3): transposed
}

TEST_CASE("a truncated file, a file that is not ONNX and a missing file are refused in one line") {
    const std::string whole = read_file(fixture("mnist_gemm.onnx"));
    check_message(error_of_bytes(whole.substr(0, whole.size() / 2)), {"not an ONNX model"});
    check_message(error_of_bytes(whole.substr(0, 37)), {"not an ONNX model"});
    check_message(error_of_bytes("P5\n28 28\n255\nthis is a picture, not a model\n"), {"not an ONNX model"});
    check_message(error_of_bytes(""), {"not an ONNX model"});
    try {
        nn::onnx::read_onnx("no/such/model.onnx");
        FAIL("read a missing file");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "no/such/model.onnx: cannot open the file");
    }
}

TEST_CASE("an unsupported op names the node, its op type and the supported list") {
    ::onnx::ModelProto m = small_model();
    m.mutable_graph()->mutable_node(1)->set_op_type("Softplus");
    check_message(error_of(m), {"node 'Relu_1' (Softplus)", "op type Softplus is not supported",
                                "supported: Gemm, MatMul, Add (a bias), Relu, LeakyRelu"});
}

TEST_CASE("a Conv net gets one line: only dense networks are supported") {
    try {
        nn::onnx::read_onnx(fixture("conv.onnx"));
        FAIL("read a Conv net");
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        std::printf("  %s\n", msg.c_str());
        CHECK(msg.find("conv.onnx: node '/0/Conv' (Conv): only dense networks are supported") != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    }
}

TEST_CASE("data of the wrong width are refused before anything is recorded") {
    const nn::onnx::DenseStack s = nn::onnx::read_model(small_model(), kSource);
    nn::Tape<double> tape;
    const auto weights = nn::onnx::place_weights(tape, s);
    const std::size_t before = tape.size();
    nn::Var x = tape.leaf(2, 5, false);                   // [2, 5], the model takes 3
    CHECK_THROWS_WITH_AS(nn::onnx::record_logits(tape, s, weights, x),
                         "bad.onnx: the model takes 3 inputs per row; the input has 5", std::runtime_error);
    CHECK(tape.size() == before + 1);                     // only the leaf
    CHECK_THROWS_WITH_AS(nn::onnx::check_input_width(s, 13, "data/table.csv"),
                         "bad.onnx: the model takes 3 inputs per row; data/table.csv has 13", std::runtime_error);
}

TEST_CASE("an initializer whose size does not match its dims is refused (float_data and raw_data)") {
    ::onnx::ModelProto m = small_model();
    m.mutable_graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
    check_message(error_of(m), {"initializer 'W1' has dims [4, 3] (12 values) but holds 11 values"});

    ::onnx::ModelProto r = small_model();
    ::onnx::TensorProto* t = r.mutable_graph()->mutable_initializer(1);
    t->clear_float_data();
    t->set_raw_data(std::string(3 * sizeof(float), '\0'));
    check_message(error_of(r), {"initializer 'b1' has dims [4] (4 values) but 12 bytes of raw_data (3 float values)"});

    ::onnx::ModelProto d = small_model();
    d.mutable_graph()->mutable_initializer(2)->set_dims(0, 3);     // W2 [3, 4]: 12 values wanted, 8 held
    check_message(error_of(d), {"initializer 'W2' has dims [3, 4]"});
}

TEST_CASE("NaN or infinite weights are refused, naming the initializer and the index") {
    ::onnx::ModelProto m = small_model();
    m.mutable_graph()->mutable_initializer(0)->set_float_data(5, std::nanf(""));
    check_message(error_of(m), {"initializer 'W1' holds a NaN at index 5"});
    ::onnx::ModelProto i = small_model();
    i.mutable_graph()->mutable_initializer(3)->set_float_data(1, std::numeric_limits<float>::infinity());
    check_message(error_of(i), {"initializer 'b2' holds an infinite value at index 1"});
}

TEST_CASE("a graph with two outputs, or with a cycle, is refused") {
    ::onnx::ModelProto m = small_model();
    add_value(m.mutable_graph()->mutable_output(), "h", 4);
    check_message(error_of(m), {"the graph has 2 outputs ('y', 'h')", "one output"});

    ::onnx::ModelProto c = small_model();
    c.mutable_graph()->mutable_node(0)->set_input(0, "h");          // Gemm_0 reads Relu_1's output: z -> h -> z
    check_message(error_of(c), {"node 'Gemm_0' (Gemm): reads 'h', which node 'Relu_1' (Relu) computes later",
                                "cycle"});

    ::onnx::ModelProto u = small_model();
    u.mutable_graph()->mutable_node(1)->set_input(0, "nowhere");
    check_message(error_of(u), {"node 'Relu_1' (Relu): reads 'nowhere', which no node, initializer or input defines"});
}

TEST_CASE("an opset outside 9..17 is refused, saying which are read") {
    for (std::int64_t v : {8, 18, 99}) {
        ::onnx::ModelProto m = small_model();
        m.mutable_opset_import(0)->set_version(v);
        check_message(error_of(m), {"opset " + std::to_string(v) + " is not supported", "opsets 9 to 17"});
    }
    ::onnx::ModelProto m = small_model();
    m.mutable_opset_import(0)->set_domain("com.example");
    check_message(error_of(m), {"imports no opset of the default ONNX domain"});
}

TEST_CASE("graphs that are not a dense stack say why: transA, a second data path, an activation with no layer") {
    ::onnx::ModelProto t = small_model();
    auto* a = t.mutable_graph()->mutable_node(0)->add_attribute();
    a->set_name("transA");
    a->set_type(::onnx::AttributeProto::INT);
    a->set_i(1);
    check_message(error_of(t), {"node 'Gemm_0' (Gemm): has transA=1"});

    ::onnx::ModelProto r = small_model();                           // a residual: y = Gemm(h) + h
    auto* g = r.mutable_graph();
    g->mutable_node(2)->set_output(0, "y0");
    add_node(*g, "Add", {"y0", "h"}, "y");
    check_message(error_of(r), {"node 'Add_3' (Add)", "only a single chain of dense layers is supported"});

    ::onnx::ModelProto s = small_model();                           // Relu on the input, before any layer
    s.mutable_graph()->mutable_node(0)->set_input(0, "x1");
    auto* first = s.mutable_graph()->add_node();
    *first = s.graph().node(1);
    first->set_name("Relu_first");
    first->set_input(0, "x");
    first->set_output(0, "x1");
    s.mutable_graph()->mutable_node()->SwapElements(0, 3);          // make it the first node
    s.mutable_graph()->mutable_node()->SwapElements(1, 3);
    s.mutable_graph()->mutable_node()->SwapElements(2, 3);
    check_message(error_of(s), {"node 'Relu_first' (Relu): an activation is supported only right after a dense layer"});

    ::onnx::ModelProto w = small_model();                           // W2 [2, 5]: 5 inputs after a 4-wide layer
    auto* w2 = w.mutable_graph()->mutable_initializer(2);
    w2->set_dims(1, 5);
    w2->add_float_data(0.f), w2->add_float_data(0.f);
    check_message(error_of(w), {"node 'Gemm_2' (Gemm): weight 'W2' has dims [2, 5] (transB=1: 5 inputs), but the "
                                "previous layer gives 4"});
}

TEST_CASE("a leaky_relu layer reads with ONNX's default slope and records leaky_relu with it on the tape") {
    ::onnx::ModelProto m = small_model();
    m.mutable_graph()->mutable_node(1)->set_op_type("LeakyRelu");
    const nn::onnx::DenseStack s = nn::onnx::read_model(m, kSource);
    CHECK(s.layers[0].act == nn::onnx::Activation::LeakyRelu);
    CHECK(s.layers[0].alpha == doctest::Approx(0.01));   // ONNX's default slope
    nn::Tape<float> tape;
    const std::vector<nn::Linear> w = nn::onnx::place_weights(tape, s);
    const nn::Var x = tape.leaf(nn::Tensor<float>(xt::zeros<float>({std::size_t(2), s.input_width})), false);
    const nn::Var z = nn::onnx::record_logits(tape, s, w, x);
    bool found = false;
    for (std::size_t i = 0; i < tape.size(); ++i) {
        const nn::Node& n = tape.node(nn::Var{static_cast<int>(i)});
        if (n.op == nn::Op::LeakyRelu) found = n.c == doctest::Approx(0.01);
    }
    CHECK(found);
    CHECK(tape.value(z).shape(0) == 2);
}

TEST_CASE("the builder's variants read as the math says: Gemm alpha, beta, transB=0, weights in double_data") {
    ::onnx::ModelProto m = small_model();
    auto* g = m.mutable_graph();
    auto* gemm = g->mutable_node(0);
    gemm->mutable_attribute(0)->set_i(0);                           // transB=0: W1 is read as [3, 4] as it is
    auto* alpha = gemm->add_attribute();
    alpha->set_name("alpha"), alpha->set_type(::onnx::AttributeProto::FLOAT), alpha->set_f(2.0f);
    auto* beta = gemm->add_attribute();
    beta->set_name("beta"), beta->set_type(::onnx::AttributeProto::FLOAT), beta->set_f(0.5f);
    auto* w1 = g->mutable_initializer(0);
    w1->set_dims(0, 3), w1->set_dims(1, 4);
    w1->set_data_type(::onnx::TensorProto::DOUBLE);                 // the same numbers, as doubles
    for (float v : w1->float_data()) w1->add_double_data(v);
    w1->clear_float_data();
    const nn::onnx::DenseStack s = nn::onnx::read_model(m, kSource);
    // W1 [3, 4] row-major holds 0.1·i − 0.5; alpha = 2 scales it, beta = 0.5 the bias (0.1, 0.2, 0.3, 0.4).
    CHECK(s.layers[0].W(1, 2) == doctest::Approx(2 * (0.1f * 6 - 0.5f)));
    CHECK(s.layers[0].b[3] == doctest::Approx(0.5 * 0.4));
    CHECK(s.layers[1].W(3, 1) == doctest::Approx(0.2f * 7 - 0.7f));  // W2 still transB=1: [2, 4] read transposed
}

TEST_CASE("a GELU-like Div whose Erf has no output is refused, not an abort (found by fuzz_onnx)") {
    ::onnx::ModelProto m = small_model();
    auto* g = m.mutable_graph();
    auto* c = add_node(*g, "Constant", {}, "sqrt2");
    auto* a = c->add_attribute();
    a->set_name("value_float"), a->set_type(::onnx::AttributeProto::FLOAT), a->set_f(1.4142135f);
    add_node(*g, "Div", {"z", "sqrt2"}, "d");
    add_node(*g, "Erf", {"d"}, "e")->clear_output();                // a node with no output at all
    // Order: Gemm_0, Relu_1, Gemm_2, Constant, Div, Erf; make it Gemm_0, Constant, Div, Erf, Relu_1, Gemm_2.
    for (auto [x, y] : {std::pair{1, 3}, {2, 4}, {3, 5}, {4, 5}}) g->mutable_node()->SwapElements(x, y);
    check_message(error_of(m), {"(Div)", "GELU pattern"});
}

TEST_CASE("Reshape reads when it flattens each row ([0, -1], [-1, width]) and is refused otherwise") {
    auto with_reshape = [](std::vector<std::int64_t> shape) {
        ::onnx::ModelProto m = small_model();
        auto* g = m.mutable_graph();
        ::onnx::TensorProto* t = g->add_initializer();
        t->set_name("shape");
        t->set_data_type(::onnx::TensorProto::INT64);
        t->add_dims(static_cast<std::int64_t>(shape.size()));
        for (std::int64_t v : shape) t->add_int64_data(v);
        add_node(*g, "Reshape", {"x", "shape"}, "x_flat");
        g->mutable_node(0)->set_input(0, "x_flat");
        for (int k = g->node_size() - 1; k > 0; --k) g->mutable_node()->SwapElements(k, k - 1);   // Reshape first
        return m;
    };
    CHECK(nn::onnx::describe(nn::onnx::read_model(with_reshape({0, -1}), kSource)) == "3-4-2 (relu, identity; head none)");
    CHECK(nn::onnx::read_model(with_reshape({-1, 3}), kSource).layers.size() == 2);
    check_message(error_of(with_reshape({-1, 1, 3})), {"(Reshape): reshapes to [-1, 1, 3]", "[N, -1]"});
    check_message(error_of(with_reshape({-1, 2})), {"(Reshape): reshapes to [-1, 2]"});
}

TEST_CASE("BatchNormalization after an activation, and a node after the softmax head, are refused") {
    ::onnx::ModelProto m = small_model();
    auto* g = m.mutable_graph();
    for (const char* p : {"s", "bb", "mu", "v"}) add_initializer(*g, p, {4}, {1.f, 1.f, 1.f, 1.f});
    g->mutable_node(2)->set_input(0, "hn");
    add_node(*g, "BatchNormalization", {"h", "s", "bb", "mu", "v"}, "hn");
    g->mutable_node()->SwapElements(2, 3);                          // Gemm_0, Relu_1, BN, Gemm_2
    check_message(error_of(m), {"(BatchNormalization): BatchNormalization (folded into the layer's weights) is "
                                "supported only right after a dense layer"});

    ::onnx::ModelProto h = small_model();
    auto* hg = h.mutable_graph();
    hg->mutable_node(1)->set_op_type("Softmax");                    // Gemm_0, Softmax, Gemm_2
    check_message(error_of(h), {"node 'Gemm_2' (Gemm): comes after the Softmax/LogSoftmax head"});
}
