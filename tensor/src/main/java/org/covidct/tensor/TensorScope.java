package org.covidct.tensor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A lexical lifetime for tensors, in the style of DJL's NDManager: every tensor created on this
 * thread while the scope is open is closed when the scope closes, unless it was {@link #keep kept}.
 * A training step opens one scope, so its activations and temporary gradients are freed at a
 * known point instead of whenever the garbage collector runs.
 *
 * <pre>{@code
 * try (TensorScope step = TensorScope.open()) {
 *     Tensor y = Ops.relu(x);        // closed when the scope closes
 *     result = step.keep(Ops.sum(y)); // survives the scope
 * }
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Tensor> owned = new LinkedHashSet<>(); // Tensor has identity equality
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private TensorScope() {
    }

    public static TensorScope open() {
        TensorScope scope = new TensorScope();
        OPEN.get().push(scope);
        return scope;
    }

    /** Registers a new tensor with the innermost open scope of this thread, if any. */
    static void register(Tensor t) {
        TensorScope top = OPEN.get().peek();
        if (top != null) {
            top.owned.add(t);
        }
    }

    /**
     * Takes {@code t} out of this scope; it moves to the enclosing scope if there is one, and is
     * otherwise left for its owner to close. Returns {@code t}.
     */
    public Tensor keep(Tensor t) {
        if (owned.remove(t)) {
            TensorScope parent = enclosing();
            if (parent != null) {
                parent.owned.add(t);
            }
        }
        return t;
    }

    /** Takes {@code t} out of every open scope of this thread: its owner closes it. */
    public static Tensor detach(Tensor t) {
        for (TensorScope s : OPEN.get()) {
            s.owned.remove(t);
        }
        return t;
    }

    private TensorScope enclosing() {
        boolean seen = false;
        for (TensorScope s : OPEN.get()) {
            if (seen) {
                return s;
            }
            seen = s == this;
        }
        return null;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a TensorScope must be closed on the thread that opened it");
        }
        Deque<TensorScope> stack = OPEN.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("TensorScopes must be closed innermost first");
        }
        stack.pop();
        closed = true;
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
