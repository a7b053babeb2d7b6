package org.covidct.tensor;

/** The two forms of GELU that PyTorch's {@code approximate} argument selects. */
public enum GeluApproximation {
    /** x * Phi(x), Phi the standard normal CDF through erf: PyTorch's default, {@code approximate='none'}. */
    NONE,
    /** 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))): {@code approximate='tanh'}. */
    TANH
}
