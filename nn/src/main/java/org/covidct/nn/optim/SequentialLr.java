package org.covidct.nn.optim;

import java.util.List;

/**
 * torch.optim.lr_scheduler.SequentialLR: one schedule after another, each taking over at its
 * milestone (a step count from the start) and beginning there from the base learning rate, as
 * torch's {@code step(0)} does. Warm-up then cosine is
 * {@code new SequentialLr(List.of(new LinearLr(0.1, 1, w), new CosineAnnealingLr(n - w, 0)), List.of(w))}:
 * the warm-up runs steps 0 to w - 1 and never reaches its end factor, the cosine starts at the
 * full base rate at step w.
 */
public final class SequentialLr extends LrSchedule {
    private final List<LrSchedule> schedules;
    private final List<Integer> milestones;

    /**
     * @throws IllegalArgumentException unless there is one milestone fewer than schedules, the
     *                                  milestones are positive and increasing, and no schedule is
     *                                  itself a SequentialLr (torch cannot restart one at a milestone)
     */
    public SequentialLr(List<LrSchedule> schedules, List<Integer> milestones) {
        this.schedules = List.copyOf(schedules);
        this.milestones = List.copyOf(milestones);
        if (this.schedules.isEmpty() || this.milestones.size() != this.schedules.size() - 1) {
            throw new IllegalArgumentException("SequentialLr: " + this.schedules.size() + " schedules need "
                    + Math.max(0, this.schedules.size() - 1) + " milestones, got " + this.milestones);
        }
        for (int i = 0; i < this.milestones.size(); i++) {
            if (this.milestones.get(i) < 1 || (i > 0 && this.milestones.get(i) <= this.milestones.get(i - 1))) {
                throw new IllegalArgumentException("SequentialLr: milestones must be positive and increasing, got "
                        + this.milestones);
            }
        }
        if (this.schedules.stream().anyMatch(s -> s instanceof SequentialLr)) {
            throw new IllegalArgumentException("SequentialLr: a SequentialLr cannot be one of its schedules");
        }
    }

    public List<LrSchedule> schedules() {
        return schedules;
    }

    public List<Integer> milestones() {
        return milestones;
    }

    /** Always the first scheduler: the constructor keeps a SequentialLr from being restarted at a milestone. */
    @Override
    Cursor start(double baseLr, boolean atMilestone) {
        return new Cursor() {
            private Cursor current = schedules.getFirst().start(baseLr, false);
            private long epoch;
            private int index;

            @Override
            public double learningRate() {
                return current.learningRate();
            }

            @Override
            public void step() {
                epoch++;
                if (index < milestones.size() && milestones.get(index) == epoch) {
                    index++;
                    current = schedules.get(index).start(baseLr, true);
                } else {
                    current.step();
                }
            }
        };
    }
}
