package org.covidct.nn.autograd;

/**
 * Whether ops on this thread record a graph for backward, like torch.no_grad. Inference and
 * evaluation run under {@link #noGrad()}, which saves the memory of every saved activation.
 *
 * <pre>{@code
 * try (GradMode.Guard g = GradMode.noGrad()) {
 *     Variable logits = model.forward(x);
 * }
 * }</pre>
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    /** Restores the previous mode when closed. */
    public static final class Guard implements AutoCloseable {
        private final boolean previous;

        private Guard(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            ENABLED.set(previous);
        }
    }

    private GradMode() {
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Turns graph recording off on this thread until the guard closes. */
    public static Guard noGrad() {
        Guard g = new Guard(ENABLED.get());
        ENABLED.set(false);
        return g;
    }
}
