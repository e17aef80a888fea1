using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace MailQuota.Core.Import
{
    /// <summary>
    /// Runs an enumeration on a worker thread, a bounded number of items ahead of its consumer, so
    /// that decoding, parsing and checking a file overlaps with what the consumer does with each
    /// row (in PowerShell: the rest of the pipeline). Order is kept; memory is bounded by
    /// <c>batchSize × maxBatches</c> items; an exception of the source comes out of the consumer's
    /// loop; a consumer that stops early (Select-Object -First) stops the worker and waits for it,
    /// so the source is never used after the consumer has moved on.
    /// </summary>
    public static class ReadAhead
    {
        public static IEnumerable<T> Run<T>(Func<CancellationToken, IEnumerable<T>> source, int batchSize, int maxBatches, CancellationToken cancellationToken)
        {
            if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize));
            if (maxBatches < 1) throw new ArgumentOutOfRangeException(nameof(maxBatches));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var batches = new BlockingCollection<List<T>>(maxBatches);
            ExceptionDispatchInfo? failure = null;
            var worker = Task.Factory.StartNew(() =>
            {
                var batch = new List<T>(batchSize);
                try
                {
                    try
                    {
                        foreach (var item in source(stop.Token))
                        {
                            batch.Add(item);
                            if (batch.Count < batchSize) continue;
                            batches.Add(batch, stop.Token);
                            batch = new List<T>(batchSize);
                        }
                    }
                    catch (Exception e) when (!(e is OperationCanceledException && stop.IsCancellationRequested))
                    {
                        failure = ExceptionDispatchInfo.Capture(e);
                    }
                    // The items read before the end (or before a failure) still come out, then the failure.
                    if (batch.Count > 0) batches.Add(batch, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                finally { batches.CompleteAdding(); }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                foreach (var batch in batches.GetConsumingEnumerable(cancellationToken))
                    foreach (var item in batch)
                        yield return item;
                failure?.Throw();
            }
            finally
            {
                stop.Cancel();
                worker.Wait();
            }
        }
    }
}
