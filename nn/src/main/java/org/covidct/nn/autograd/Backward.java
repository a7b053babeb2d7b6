package org.covidct.nn.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.covidct.tensor.Ops;
import org.covidct.tensor.Tensor;

/**
 * The reverse-mode engine: visits the graph's nodes in reverse topological order, sums the
 * gradients flowing into each node, and hands leaf gradients to their variables. Intermediate
 * gradients are closed as soon as their node has used them (a copy goes to a variable that
 * retains its gradient), and every node is released after it runs, so the graph can be walked once.
 */
final class Backward {
    private Backward() {
    }

    static void run(Variable root) {
        if (root.data().numel() != 1) {
            throw new IllegalArgumentException("backward: needs a one-element output (a loss), got shape "
                    + root.shape());
        }
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the output of shape " + root.shape()
                    + " does not depend on anything that requires a gradient");
        }
        Tensor seed = Tensor.full(root.data().device(), 1f, root.data().dims());
        if (root.isLeaf()) {
            root.accumulateGrad(seed);
            return;
        }
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(root.gradFn, seed);
        // A node's summed output gradient is complete when the node runs: that is when a retaining output gets it.
        Map<Node, Variable> retaining = new IdentityHashMap<>();
        if (root.retainsGrad()) {
            retaining.put(root.gradFn, root);
        }
        for (Node node : topologicalOrder(root.gradFn)) {
            Tensor gradOut = pending.remove(node);
            if (gradOut == null) { // no gradient reached this node: nothing upstream of it needs one
                node.release();
                continue;
            }
            Variable output = retaining.remove(node);
            if (output != null) {
                output.accumulateGrad(Ops.copy(gradOut));
            }
            Tensor[] gradIns;
            try {
                gradIns = node.backward(gradOut);
            } finally {
                gradOut.close();
            }
            node.release();
            for (int i = 0; i < node.inputs.length; i++) {
                Variable input = node.inputs[i];
                Tensor g = gradIns[i];
                if (g == null) {
                    continue;
                }
                if (!input.requiresGrad()) {
                    g.close();
                } else if (input.isLeaf()) {
                    input.accumulateGrad(g);
                } else {
                    if (input.retainsGrad()) {
                        retaining.put(input.gradFn, input);
                    }
                    Tensor sum = pending.get(input.gradFn);
                    if (sum == null) {
                        pending.put(input.gradFn, g);
                    } else {
                        Ops.axpyInPlace(1f, g, sum);
                        g.close();
                    }
                }
            }
        }
    }

    /** Nodes reachable from {@code root}, each before every node it depends on. */
    private static List<Node> topologicalOrder(Node root) {
        Set<Node> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Node> postOrder = new ArrayList<>();
        // Iterative DFS: VGG-sized graphs are shallow, but a deep graph must not overflow the stack.
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(root));
        visited.add(root);
        while (!stack.isEmpty()) {
            Frame frame = stack.peek();
            if (frame.nextInput < frame.node.inputs.length) {
                Node child = frame.node.inputs[frame.nextInput++].gradFn;
                if (child != null && visited.add(child)) {
                    stack.push(new Frame(child));
                }
            } else {
                stack.pop();
                postOrder.add(frame.node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }

    private static final class Frame {
        final Node node;
        int nextInput;

        Frame(Node node) {
            this.node = node;
        }
    }
}
