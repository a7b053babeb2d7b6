package org.covidct.nn.optim;

/**
 * A learning-rate schedule as torch.optim.lr_scheduler defines it, without the optimiser: the
 * learning rate after each step, from the learning rate the optimiser started with. Run it with
 * an {@link LrScheduler}. A step is whatever the caller makes it, an epoch or an iteration; the
 * schedule's lengths count steps of that unit.
 *
 * <p>The values are torch's to the last bit of a double: torch's {@code step()} without an epoch
 * computes each learning rate from the previous one (the "chainable" {@code get_lr}), and so do
 * these, in the same order of operations; only where torch uses the closed form (a schedule that
 * a {@link SequentialLr} starts at a milestone) do they use it too.
 */
public abstract sealed class LrSchedule permits LinearLr, CosineAnnealingLr, SequentialLr {
    LrSchedule() {
    }

    /**
     * A cursor at step 0 for an optimiser whose learning rate was {@code baseLr}: the first
     * scheduler's value at its construction ({@code atMilestone} false), or a later scheduler's
     * {@code step(0)} at a {@link SequentialLr} milestone (true).
     */
    abstract Cursor start(double baseLr, boolean atMilestone);

    /** The learning rate of a run of the schedule, one step at a time. */
    interface Cursor {
        double learningRate();

        void step();
    }
}
