"""Replays the tutorial's EarlyStopping class (../shared/seed/tutorial.md) on random validation
histories and records its stop codes and the learning-rate schedule the training loop derives from
them, for covidct's EarlyStoppingTest. Run with any python3 from the repository root."""
import json
import random


class TutorialEarlyStopping(object):
    # The tutorial's class, unchanged in behaviour.
    def __init__(self, patience=8):
        self.patience = patience
        self.previous_loss = int(1e8)
        self.previous_accuracy = 0
        self.init = False
        self.accuracy_decrease_iters = 0
        self.loss_increase_iters = 0
        self.best_running_accuracy = 0
        self.best_running_loss = int(1e7)

    def add_data(self, model, loss, accuracy):
        if not self.init:
            running_loss = loss
            running_accuracy = accuracy
            self.init = True
        else:
            running_loss = 0.2 * loss + 0.8 * self.previous_loss
            running_accuracy = 0.2 * accuracy + 0.8 * self.previous_accuracy
        if running_accuracy < self.best_running_accuracy:
            self.accuracy_decrease_iters += 1
        else:
            self.best_running_accuracy = running_accuracy
            self.accuracy_decrease_iters = 0
        if running_loss > self.best_running_loss:
            self.loss_increase_iters += 1
        else:
            self.best_running_loss = running_loss
            self.loss_increase_iters = 0
        self.previous_accuracy = running_accuracy
        self.previous_loss = running_loss

    def stop(self):
        accuracy_threshold = self.accuracy_decrease_iters > self.patience
        loss_threshold = self.loss_increase_iters > self.patience
        if accuracy_threshold and loss_threshold:
            return 1
        if accuracy_threshold:
            return 2
        if loss_threshold:
            return 3
        return 0

    def reset(self):
        self.accuracy_decrease_iters = 0
        self.loss_increase_iters = 0


def replay(losses, accuracies, patience=5, lr=0.01):
    """The tutorial's epoch loop, reduced to its early-stopping decisions."""
    stopper = TutorialEarlyStopping(patience=patience)
    codes, lrs = [], []
    for loss, acc in zip(losses, accuracies):
        stopper.add_data(None, loss, acc)
        code = stopper.stop()
        codes.append(code)
        if code == 1:
            lrs.append(lr)
            break
        if code == 3:
            lr *= 0.1
            stopper.reset()
        lrs.append(lr)
    return codes, lrs


def main():
    rng = random.Random(0)
    cases = []
    for case in range(40):
        n = rng.randint(5, 60)
        kind = case % 4
        losses, accs = [], []
        loss, acc = rng.uniform(0.4, 0.9), rng.uniform(0.4, 0.7)
        for epoch in range(n):
            if kind == 0:  # improving, then plateau with noise
                loss = max(0.05, loss - 0.02 + rng.gauss(0, 0.03))
                acc = min(1.0, acc + 0.01 + rng.gauss(0, 0.02))
            elif kind == 1:  # overfitting: loss climbs while accuracy stalls
                loss = loss + rng.uniform(-0.01, 0.05)
                acc = acc + rng.gauss(0, 0.01)
            elif kind == 2:  # pure noise
                loss, acc = rng.uniform(0.2, 1.2), rng.uniform(0.3, 0.9)
            else:  # ties: repeated values
                loss, acc = round(rng.choice([0.5, 0.6, 0.7]), 1), rng.choice([0.5, 0.75])
            losses.append(loss)
            accs.append(acc)
        codes, lrs = replay(losses, accs)
        cases.append({"losses": losses, "accuracies": accs, "codes": codes, "learning_rates": lrs})
    with open("covidct/src/test/resources/train/early_stopping.json", "w") as f:
        json.dump({"patience": 5, "initial_lr": 0.01, "cases": cases}, f)


if __name__ == "__main__":
    main()
