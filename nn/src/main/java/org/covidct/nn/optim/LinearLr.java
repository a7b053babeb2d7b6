package org.covidct.nn.optim;

/**
 * torch.optim.lr_scheduler.LinearLR: the learning rate rises (or falls) linearly from
 * {@code startFactor * base} at step 0 to {@code endFactor * base} at step {@code totalSteps},
 * and stays there: a linear warm-up when it starts below 1.
 */
public final class LinearLr extends LrSchedule {
    private final double startFactor;
    private final double endFactor;
    private final int totalSteps;

    /**
     * @throws IllegalArgumentException unless {@code 0 < startFactor <= 1}, {@code 0 <= endFactor <= 1}
     *                                  and {@code totalSteps >= 1} (torch's own step divides by zero
     *                                  when the start factor is 0)
     */
    public LinearLr(double startFactor, double endFactor, int totalSteps) {
        if (!(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1) || totalSteps < 1) {
            throw new IllegalArgumentException("LinearLr: start factor " + startFactor + " must be in (0, 1], end factor "
                    + endFactor + " in [0, 1] and total steps " + totalSteps + " >= 1");
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalSteps = totalSteps;
    }

    public double startFactor() {
        return startFactor;
    }

    public double endFactor() {
        return endFactor;
    }

    public int totalSteps() {
        return totalSteps;
    }

    @Override
    Cursor start(double baseLr, boolean atMilestone) {
        return new Cursor() {
            // Torch's chainable and closed forms agree at step 0, to the bit.
            private double lr = baseLr * startFactor;
            private long epoch;

            @Override
            public double learningRate() {
                return lr;
            }

            @Override
            public void step() {
                epoch++;
                if (epoch <= totalSteps) {
                    lr = lr * (1. + (endFactor - startFactor)
                            / (totalSteps * startFactor + (epoch - 1) * (endFactor - startFactor)));
                }
            }
        };
    }
}
