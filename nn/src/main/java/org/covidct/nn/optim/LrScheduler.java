package org.covidct.nn.optim;

/**
 * Runs an {@link LrSchedule} on an optimiser, as a torch scheduler does: at construction it sets
 * the optimiser's learning rate to the schedule's value at step 0, and each {@link #step} moves to
 * the next value. Call {@link #step} after the optimiser's step, once per epoch or once per
 * iteration, whichever unit the schedule's lengths count.
 *
 * <p>The scheduler owns the learning rate: the schedule's values are computed in double, as
 * torch's are, and the optimiser gets each rounded to float, so a change made to the optimiser's
 * learning rate in between is overwritten at the next step. Its whole state is the base learning
 * rate and the step count: to checkpoint it, save {@link #steps()} (with per-epoch steps, the
 * epoch is enough), and resume with {@link #LrScheduler(Optimizer, LrSchedule, double, long)},
 * which gives the same values as the uninterrupted run, bit for bit.
 */
public final class LrScheduler {
    private final Optimizer optimizer;
    private final LrSchedule schedule;
    private final double baseLr;
    private final LrSchedule.Cursor cursor;
    private long steps;

    /** Starts {@code schedule} from the optimiser's current learning rate. */
    public LrScheduler(Optimizer optimizer, LrSchedule schedule) {
        this(optimizer, schedule, optimizer.learningRate(), 0);
    }

    /**
     * Resumes {@code schedule} from {@code baseLr} after {@code steps} steps, and sets the
     * optimiser's learning rate to the value there.
     *
     * @throws IllegalArgumentException if the base rate is negative or not finite, or steps is negative
     */
    public LrScheduler(Optimizer optimizer, LrSchedule schedule, double baseLr, long steps) {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr) || steps < 0) {
            throw new IllegalArgumentException("LrScheduler: invalid base learning rate " + baseLr + " or step count "
                    + steps);
        }
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.baseLr = baseLr;
        this.cursor = schedule.start(baseLr, false);
        for (long i = 0; i < steps; i++) {
            cursor.step();
        }
        this.steps = steps;
        apply();
    }

    /** Moves to the next step's learning rate and hands it to the optimiser. */
    public void step() {
        cursor.step();
        steps++;
        apply();
    }

    private void apply() {
        optimizer.setLearningRate((float) cursor.learningRate());
    }

    /** The current learning rate in double, as torch's {@code get_last_lr()[0]}. */
    public double learningRate() {
        return cursor.learningRate();
    }

    /** Steps taken since step 0. */
    public long steps() {
        return steps;
    }

    public double baseLearningRate() {
        return baseLr;
    }

    public LrSchedule schedule() {
        return schedule;
    }
}
