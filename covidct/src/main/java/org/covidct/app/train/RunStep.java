package org.covidct.app.train;

/**
 * The file-system steps of a training run, in the order each epoch and then the run's end take
 * them. The order is what makes a crash anywhere harmless:
 * <ul>
 *   <li>{@link #LAST_CHECKPOINT} is an epoch's commit point; until it is renamed into place, a resume
 *       redoes the epoch, and training is deterministic, so it writes the same files again;</li>
 *   <li>the epoch's TensorBoard records and its best checkpoint come before it, so a committed epoch
 *       has both, and a resume cuts TensorBoard back to the checkpoint's step;</li>
 *   <li>everything after it is derived (metrics.json from the checkpoint's history, the scores,
 *       test metrics and plots from the best checkpoint), and a resume writes it again.</li>
 * </ul>
 * Every file but the TensorBoard logs is replaced atomically, so a crash mid-write leaves the old
 * file and a temporary one, which the resume deletes.
 */
public enum RunStep {
    /** The epoch's scalars appended to the TensorBoard logs. */
    TENSORBOARD,
    /** checkpoints/best.safetensors, in epochs whose validation accuracy is the best so far. */
    BEST_CHECKPOINT,
    /** checkpoints/last.safetensors: the epoch is committed. */
    LAST_CHECKPOINT,
    /** metrics.json. */
    METRICS,
    /** The end of the run: val_scores.csv and test_scores.csv. */
    SCORES,
    /** The end of the run: test_metrics.json. */
    TEST_METRICS,
    /** The end of the run: the plots. */
    PLOTS
}
