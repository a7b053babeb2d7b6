package org.covidct.nn.data;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.covidct.nn.data.image.ImageDecodeException;
import org.covidct.nn.data.image.ImageDecoder;
import org.covidct.nn.data.image.ImageTransform;
import org.covidct.nn.data.image.RgbImage;
import org.covidct.tensor.Device;
import org.covidct.tensor.Tensor;

/**
 * Mini-batches of transformed images from a list of {@link Sample}s, as PyTorch's
 * {@code DataLoader(dataset, batch_size, shuffle, drop_last=False)}: the last batch may be smaller.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(samples, Transforms.train(224))
 *         .batchSize(32).shuffle(true).seed(7).build()) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         try (DataLoader.Epoch batches = loader.epoch(epoch)) {
 *             while (batches.hasNext()) {
 *                 try (Batch batch = batches.next()) {
 *                     // batch.images() is [B, 3, 224, 224]; batch.labels() has B labels
 *                 }
 *             }
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>A fixed pool of worker threads decodes, prepares and transforms the samples of the next
 * {@code prefetchBatches} batches while the caller works on the current one. Results are deterministic
 * whatever the thread timing: epoch {@code e}'s order is a Fisher-Yates shuffle seeded from
 * {@code (seed, e)} (or the list order without shuffling), and sample {@code i} is transformed with
 * its own {@link SplittableRandom} seeded from {@code (seed, e, i)}, so batch {@code k} of epoch
 * {@code e} is always the same.
 *
 * <p>Prepared images (decoded by {@link ImageDecoder}, then put through the transform's deterministic
 * {@link ImageTransform#prepare} stage, such as a resize) are kept in memory while they fit in
 * {@code cacheBytes}; later epochs skip decoding for those.
 *
 * <p>A sample that fails surfaces on the consuming thread as a {@link DataLoadException} naming its
 * file; the epoch is then closed. Closing an epoch or the loader mid-epoch cancels outstanding work.
 */
public final class DataLoader implements AutoCloseable {
    /** The batch size when {@link Builder#batchSize} is not called. */
    public static final int DEFAULT_BATCH_SIZE = 8;
    /** The batches prepared ahead when {@link Builder#prefetchBatches} is not called. */
    public static final int DEFAULT_PREFETCH_BATCHES = 3;
    /** The most cache memory when {@link Builder#cacheBytes} is not called: 2 GiB. */
    public static final long DEFAULT_CACHE_BYTES = 2L << 30;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final List<Sample> samples;
    private final ImageTransform transform;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int workers;
    private final int prefetchBatches;
    private final long cacheBytes;
    private final boolean skipUnreadable;
    private final Device device;
    private final ExecutorService pool;
    private final ConcurrentHashMap<Integer, RgbImage> cache = new ConcurrentHashMap<>();
    private final AtomicLong cacheUsed = new AtomicLong();
    private final Set<Epoch> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private DataLoader(Builder b) {
        this.samples = List.copyOf(b.samples);
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.workers = b.workers;
        this.prefetchBatches = b.prefetchBatches;
        this.cacheBytes = b.cacheBytes;
        this.skipUnreadable = b.skipUnreadable;
        this.device = b.device;
        int poolId = POOLS.incrementAndGet();
        AtomicInteger threadId = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "data-loader-" + poolId + "-" + threadId.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(workers, factory);
    }

    /** Starts a loader of {@code samples}, each decoded and put through {@code transform}. */
    public static Builder builder(List<Sample> samples, ImageTransform transform) {
        return new Builder(samples, transform);
    }

    /** Options; the defaults are batch size 8, no shuffling, seed 0, min(4, cores) workers, the CPU. */
    public static final class Builder {
        private final List<Sample> samples;
        private final ImageTransform transform;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private boolean shuffle;
        private long seed;
        private int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private int prefetchBatches = DEFAULT_PREFETCH_BATCHES;
        private long cacheBytes = Math.min(DEFAULT_CACHE_BYTES, Runtime.getRuntime().maxMemory() / 4);
        private boolean skipUnreadable;
        private Device device = Device.CPU;

        private Builder(List<Sample> samples, ImageTransform transform) {
            if (samples == null || transform == null) {
                throw new IllegalArgumentException("DataLoader: samples and transform are required");
            }
            this.samples = samples;
            this.transform = transform;
        }

        /** The samples per batch; the last batch of an epoch may have fewer. */
        public Builder batchSize(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /** Whether each epoch visits the samples in its own shuffled order rather than list order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffles and of every sample's augmentation stream. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The worker threads that decode and transform samples. */
        public Builder workers(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("DataLoader: workers must be positive, got " + n);
            }
            this.workers = n;
            return this;
        }

        /** How many batches beyond the one being consumed are prepared ahead. */
        public Builder prefetchBatches(int n) {
            if (n <= 0) {
                throw new IllegalArgumentException("DataLoader: prefetch must be at least 1 batch, got " + n);
            }
            this.prefetchBatches = n;
            return this;
        }

        /**
         * The memory for prepared images kept across epochs; 0 disables the cache. The default is
         * 2 GiB, or a quarter of the maximum heap when that is smaller.
         */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("DataLoader: cache bytes must be >= 0, got " + bytes);
            }
            this.cacheBytes = bytes;
            return this;
        }

        /**
         * Leaves out of its batch a sample whose image cannot be decoded, recording why in
         * {@link Epoch#skipped()}, instead of failing the epoch. A batch may then be smaller, or empty.
         */
        public Builder skipUnreadable(boolean skip) {
            this.skipUnreadable = skip;
            return this;
        }

        /** Where the batches' images are put: the model's device. */
        public Builder device(Device device) {
            if (device == null) {
                throw new IllegalArgumentException("DataLoader: device is required");
            }
            this.device = device;
            return this;
        }

        /** The loader; its worker threads start now, and {@link DataLoader#close} stops them. */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    /** The number of samples. */
    public int numSamples() {
        return samples.size();
    }

    /** Batches per epoch, the last one possibly partial. */
    public int numBatches() {
        return (samples.size() + batchSize - 1) / batchSize;
    }

    /** The samples per full batch. */
    public int batchSize() {
        return batchSize;
    }

    /** The number of worker threads. */
    public int workers() {
        return workers;
    }

    /** The transform every sample goes through. */
    public ImageTransform transform() {
        return transform;
    }

    /** The samples, in list order. */
    public List<Sample> samples() {
        return samples;
    }

    /** Images held in the cache. */
    public int cachedImages() {
        return cache.size();
    }

    /** Bytes held in the cache. */
    public long cachedBytes() {
        return cacheUsed.get();
    }

    /** The sample indices of epoch {@code epoch}, in the order they are batched. */
    public int[] order(int epoch) {
        int n = samples.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(mix(mix(seed) ^ mix(0x5348554646L + epoch)));
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The generator sample {@code index} is transformed with in epoch {@code epoch}. */
    public SplittableRandom sampleRandom(int epoch, int index) {
        return new SplittableRandom(mix(mix(mix(seed) + epoch) + index));
    }

    /** Starts epoch {@code epoch}: its batches are produced in order by the returned iterator. */
    public Epoch epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("DataLoader is closed");
        }
        Epoch e = new Epoch(epoch);
        open.add(e);
        if (closed) {
            e.close();
            throw new IllegalStateException("DataLoader is closed");
        }
        e.fill();
        return e;
    }

    /** Cancels open epochs and stops the workers; waits a few seconds at most for running tasks. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Epoch e : open) {
            e.close();
        }
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cache.clear();
        cacheUsed.set(0);
    }

    /** Whether the worker threads have all ended (after {@link #close}). */
    public boolean workersStopped() {
        return pool.isTerminated();
    }

    private RgbImage prepared(int index) throws ImageDecodeException {
        RgbImage image = cache.get(index);
        if (image != null) {
            return image;
        }
        image = transform.prepare(ImageDecoder.decodeRgb(samples.get(index).path()));
        long bytes = image.byteSize();
        long used;
        do {
            used = cacheUsed.get();
            if (used + bytes > cacheBytes) {
                return image;
            }
        } while (!cacheUsed.compareAndSet(used, used + bytes));
        if (cache.putIfAbsent(index, image) != null) {
            cacheUsed.addAndGet(-bytes);
        }
        return image;
    }

    /** Keeps a worker's exception message to one line, as {@link ImageDecodeException#reason} is. */
    private static String oneLine(String s) {
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * One pass over the samples. Not thread-safe: consume it from one thread. Closing it cancels
     * the batches being prepared.
     */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final ArrayDeque<Pending> window = new ArrayDeque<>();
        private final List<String> skipped = new ArrayList<>();
        private Pending current;
        private int submitted;
        private int taken;
        private volatile boolean epochClosed;

        private Epoch(int epoch) {
            this.epoch = epoch;
            this.order = order(epoch);
        }

        /** The number this epoch was started with. */
        public int epochNumber() {
            return epoch;
        }

        /** Why each sample left out so far was unreadable (with {@link Builder#skipUnreadable}). */
        public List<String> skipped() {
            return Collections.unmodifiableList(skipped);
        }

        @Override
        public boolean hasNext() {
            return !epochClosed && taken < numBatches();
        }

        @Override
        public Batch next() {
            if (epochClosed) {
                throw new IllegalStateException("DataLoader epoch " + epoch + " is closed");
            }
            if (taken >= numBatches()) {
                throw new NoSuchElementException("DataLoader epoch " + epoch + " has no more batches");
            }
            Pending p;
            synchronized (this) {
                p = window.poll();
                current = p;
            }
            if (p == null) {
                throw new IllegalStateException("DataLoader epoch " + epoch + " is closed");
            }
            taken++;
            fill();
            boolean[] readable = new boolean[p.futures.length];
            int good = 0;
            for (int s = 0; s < p.futures.length; s++) {
                try {
                    p.futures[s].get();
                    readable[s] = true;
                    good++;
                } catch (ExecutionException e) {
                    if (skipUnreadable && e.getCause() instanceof ImageDecodeException) {
                        skipped.add(failure(p.indices[s], e.getCause()).getMessage());
                        continue;
                    }
                    close();
                    throw failure(p.indices[s], e.getCause());
                } catch (CancellationException e) {
                    close();
                    throw new IllegalStateException("DataLoader epoch " + epoch + " was closed while waiting for batch "
                            + p.batch, e);
                } catch (InterruptedException e) {
                    close();
                    Thread.currentThread().interrupt();
                    throw new DataLoadException(null, "DataLoader: interrupted while waiting for batch " + p.batch
                            + " of epoch " + epoch, e);
                }
            }
            synchronized (this) {
                current = null;
            }
            if (epochClosed) {
                throw new IllegalStateException("DataLoader epoch " + epoch + " was closed while waiting for batch "
                        + p.batch);
            }
            int s = transform.outputSize();
            int per = 3 * s * s;
            float[] data = good == p.indices.length ? p.data : new float[good * per];
            int[] labels = new int[good];
            List<Path> paths = new ArrayList<>(good);
            for (int i = 0, k = 0; i < p.indices.length; i++) {
                if (!readable[i]) {
                    continue;
                }
                Sample sample = samples.get(p.indices[i]);
                labels[k] = sample.label();
                paths.add(sample.path());
                if (data != p.data) {
                    System.arraycopy(p.data, i * per, data, k * per, per);
                }
                k++;
            }
            Tensor images = Tensor.of(device, data, good, 3, s, s);
            if (taken == numBatches()) {
                open.remove(this);
            }
            return new Batch(images, labels, Collections.unmodifiableList(paths));
        }

        private DataLoadException failure(int index, Throwable cause) {
            Path path = samples.get(index).path();
            String reason = cause instanceof ImageDecodeException d ? d.reason() : oneLine(String.valueOf(cause));
            return new DataLoadException(path, "DataLoader: cannot load sample " + index + " (" + path + "): "
                    + reason, cause);
        }

        private synchronized void fill() {
            while (!epochClosed && !closed && submitted < numBatches() && window.size() < prefetchBatches) {
                try {
                    window.add(submit(submitted));
                } catch (RejectedExecutionException e) {
                    close();
                    return;
                }
                submitted++;
            }
        }

        private Pending submit(int batch) {
            int from = batch * batchSize;
            int to = Math.min(samples.size(), from + batchSize);
            int[] indices = Arrays.copyOfRange(order, from, to);
            int per = 3 * transform.outputSize() * transform.outputSize();
            float[] data = new float[indices.length * per];
            Future<?>[] futures = new Future<?>[indices.length];
            for (int s = 0; s < indices.length; s++) {
                int index = indices[s];
                int offset = s * per;
                futures[s] = pool.submit(() -> {
                    if (epochClosed) {
                        return null;
                    }
                    transform.apply(prepared(index), sampleRandom(epoch, index), data, offset);
                    return null;
                });
            }
            return new Pending(batch, indices, data, futures);
        }

        @Override
        public void close() {
            if (epochClosed) {
                return;
            }
            epochClosed = true;
            synchronized (this) {
                if (current != null) {
                    window.add(current);
                    current = null;
                }
                for (Pending p : window) {
                    for (Future<?> f : p.futures) {
                        f.cancel(true);
                    }
                }
                window.clear();
            }
            open.remove(this);
        }
    }

    private record Pending(int batch, int[] indices, float[] data, Future<?>[] futures) {
    }
}
