package org.covidct.nn.autograd;

import org.covidct.tensor.Shape;
import org.covidct.tensor.Tensor;

/**
 * One recorded op in the graph: its inputs and the function that turns the gradient of its output
 * into gradients of its inputs. The backward function captures the tensors the op saved; it is
 * dropped after backward runs, which is what makes a second backward through it an error.
 */
final class Node {
    /** Maps the output gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    interface BackwardFn {
        Tensor[] apply(Tensor gradOutput);
    }

    /** What an op's backward reads of the data around it, besides the gradient. */
    enum Reads {
        /** Its inputs' data, not its output's (a convolution, batch norm, a linear layer). */
        INPUTS,
        /** Its output's data, not its inputs' (ReLU, clamp, sigmoid, tanh, exp). */
        OUTPUT,
        /** Either, as far as anyone may assume. */
        BOTH
    }

    final String op;
    final Variable[] inputs;
    final Shape outputShape;
    final Reads reads;
    private BackwardFn backward;

    Node(String op, Variable[] inputs, Shape outputShape, Reads reads, BackwardFn backward) {
        this.op = op;
        this.inputs = inputs;
        this.outputShape = outputShape;
        this.reads = reads;
        this.backward = backward;
    }

    Tensor[] backward(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException("backward: the graph through " + op + " (output " + outputShape
                    + ") was already freed by an earlier backward; run the forward pass again");
        }
        return backward.apply(gradOutput);
    }

    void release() {
        backward = null;
    }
}
