// docs/snippets/graph_by_hand.cpp — chapter 2: f(x, y) = (x·y + tanh x)·y, forward and reverse by hand.
// One line per node forward, one line per edge backward; checked against calculus and finite differences.
#include <cmath>
#include <cstdio>

// The forward pass: every node of the graph is one named variable.
double f(double x, double y) {
    const double a = x * y;        // a = x·y
    const double b = std::tanh(x); // b = tanh x
    const double c = a + b;        // c = a + b
    return c * y;                  // f = c·y
}

int main() {
    const double x = 0.5, y = 2.0;
    // Forward, keeping every intermediate value: the reverse walk needs them.
    const double a = x * y, b = std::tanh(x), c = a + b, out = c * y;

    // Reverse: the adjoint of a node is ∂f/∂node. Start with ∂f/∂f = 1 (the seed) and walk back.
    // Each line is one edge: adjoint of the input += adjoint of the node × local derivative on the edge.
    double f_bar = 1, c_bar = 0, b_bar = 0, a_bar = 0, x_bar = 0, y_bar = 0;
    c_bar += f_bar * y;            // f = c·y: ∂f/∂c = y
    y_bar += f_bar * c;            //          ∂f/∂y = c   (first use of y)
    a_bar += c_bar * 1;            // c = a + b: ∂c/∂a = 1
    b_bar += c_bar * 1;            //            ∂c/∂b = 1
    x_bar += b_bar * (1 - b * b);  // b = tanh x: ∂b/∂x = 1 − tanh² x
    x_bar += a_bar * y;            // a = x·y: ∂a/∂x = y   (second use of x: add)
    y_bar += a_bar * x;            //          ∂a/∂y = x   (second use of y: add)

    std::printf("node   value     adjoint\n");
    std::printf("x    %8.5f   %8.5f\n", x, x_bar);
    std::printf("y    %8.5f   %8.5f\n", y, y_bar);
    std::printf("a    %8.5f   %8.5f\n", a, a_bar);
    std::printf("b    %8.5f   %8.5f\n", b, b_bar);
    std::printf("c    %8.5f   %8.5f\n", c, c_bar);
    std::printf("f    %8.5f   %8.5f\n", out, f_bar);

    // Calculus on f = x·y² + y·tanh x: ∂f/∂x = y² + y(1 − tanh² x), ∂f/∂y = 2xy + tanh x.
    const double dfdx = y * y + y * (1 - b * b), dfdy = 2 * x * y + b;
    // Central finite differences (chapter 7): two more forward passes per input.
    const double h = 1e-5;
    const double fd_x = (f(x + h, y) - f(x - h, y)) / (2 * h), fd_y = (f(x, y + h) - f(x, y - h)) / (2 * h);
    std::printf("df/dx: reverse %.10f  calculus %.10f  finite diff %.10f\n", x_bar, dfdx, fd_x);
    std::printf("df/dy: reverse %.10f  calculus %.10f  finite diff %.10f\n", y_bar, dfdy, fd_y);
    const bool ok = std::fabs(x_bar - dfdx) < 1e-12 && std::fabs(y_bar - dfdy) < 1e-12 &&
                    std::fabs(x_bar - fd_x) < 1e-8 && std::fabs(y_bar - fd_y) < 1e-8;
    std::printf("%s\n", ok ? "all three agree" : "MISMATCH");
    return ok ? 0 : 1;
}
