package org.lilnet.worker;

import java.time.Duration;

/**
 * When a worker commits its finished tasks. One transaction at a time (its round trips run beside the next batch);
 * an idle worker commits at once, so that a lone task is not held back; under a backlog the tasks of several batches
 * share one transaction, at most one per interval: each transaction costs the broker and the client several requests,
 * which with small models weighs as much as the model itself.
 */
record CommitPacing(Duration interval) {

    /**
     * @param previousCommitted the last transaction has finished
     * @param moreInHand        tasks are being prepared or wait for inference
     * @param sinceLast         time since the last transaction began
     */
    boolean due(boolean previousCommitted, boolean moreInHand, Duration sinceLast) {
        return previousCommitted && (!moreInHand || sinceLast.compareTo(interval) >= 0);
    }
}
