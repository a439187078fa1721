package com.channelassignment.worker.kafka.consume;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Spring's default error handler, which also has the listener join again when the group refused a consumer its static
 * id ({@link RestartAfterFencing#rejoinLater()}): that consumer is done for, and the container would poll it on with no
 * partitions. A failed batch never reaches this handler: the after-rollback processor settles it.
 */
public class RejoiningErrorHandler extends DefaultErrorHandler {

    private final RestartAfterFencing restarts;

    public RejoiningErrorHandler(RestartAfterFencing restarts) {
        this.restarts = restarts;
    }

    @Override
    public void handleOtherException(Exception thrownException, Consumer<?, ?> consumer,
            MessageListenerContainer container, boolean batchListener) {
        if (refusedItsInstanceId(thrownException)) {
            // Settled here, and logged by the rejoin: Spring's handler would only log it again as unprocessable.
            restarts.rejoinLater();
            return;
        }
        super.handleOtherException(thrownException, consumer, container, batchListener);
    }

    private static boolean refusedItsInstanceId(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnreleasedInstanceIdException) {
                return true;
            }
        }
        return false;
    }
}
