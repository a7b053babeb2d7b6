package org.covidct.nn.optim;

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR: from the base learning rate at step 0 down to
 * {@code etaMin} at step {@code periodSteps} (torch's {@code T_max}) along half a cosine; past
 * that, as torch does, it climbs back up and keeps oscillating with period {@code 2 * periodSteps}.
 */
public final class CosineAnnealingLr extends LrSchedule {
    private final int periodSteps;
    private final double etaMin;

    /** @throws IllegalArgumentException unless {@code periodSteps >= 1} and {@code etaMin >= 0} */
    public CosineAnnealingLr(int periodSteps, double etaMin) {
        if (periodSteps < 1 || !(etaMin >= 0)) {
            throw new IllegalArgumentException("CosineAnnealingLr: period " + periodSteps
                    + " must be >= 1 and the minimum " + etaMin + " >= 0");
        }
        this.periodSteps = periodSteps;
        this.etaMin = etaMin;
    }

    public int periodSteps() {
        return periodSteps;
    }

    public double etaMin() {
        return etaMin;
    }

    @Override
    Cursor start(double baseLr, boolean atMilestone) {
        return new Cursor() {
            // At a milestone torch uses the closed form, which may miss the base rate in the last bit.
            private double lr = atMilestone ? etaMin + (baseLr - etaMin) * (1 + Math.cos(0)) / 2 : baseLr;
            private long epoch;

            @Override
            public double learningRate() {
                return lr;
            }

            @Override
            public void step() {
                epoch++;
                if (Math.floorMod(epoch - 1 - periodSteps, 2L * periodSteps) == 0) {
                    lr = lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / periodSteps)) / 2;
                } else {
                    lr = (1 + Math.cos(Math.PI * epoch / periodSteps)) / (1 + Math.cos(Math.PI * (epoch - 1) / periodSteps))
                            * (lr - etaMin) + etaMin;
                }
            }
        };
    }
}
