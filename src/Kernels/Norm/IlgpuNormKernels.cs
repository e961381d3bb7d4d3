using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Norm;

/// <summary>
/// Batch-norm: the statistics and the gradient sums in two passes — groups over fixed parts of
/// each channel (thread t takes the part's values t, t + G, … of the flattened (n, spatial) index,
/// then <see cref="IlgpuGroupReduce"/>'s fixed tree), then one thread per channel merging its
/// parts in order; the parts depend on the shape alone, so results are deterministic. Flat
/// launches for the elementwise parts. Layer-norm: one group per row for the
/// forward and dx; dγ/dβ one thread per (row part, column) — rows of a part in increasing order,
/// neighbouring threads on neighbouring columns — then the parts summed in order per column. Both take the variance in two passes, about the mean.
/// </summary>
internal static class IlgpuNormKernels
{
    /// <summary>Flattened (n, spatial) value p of channel c.</summary>
    private static int ChannelIndex(int p, int c, int channels, int spatial)
    {
        int n = p / spatial;
        return (n * channels + c) * spatial + (p - n * spatial);
    }

    /// <summary>
    /// Pass 1 of the training statistics: group (c, part) takes values [part·partLength, …) of
    /// channel c and writes their count, mean and M2 = Σ (x − mean)² (two passes over its part,
    /// about its own mean) to partial[(c·parts + part)·3 …]. Many groups per channel fill a GPU
    /// that one group per channel left mostly idle (64 channels, 132 SMs).
    /// </summary>
    [IlgpuKernel]
    internal static void BatchNormStats(ArrayView<float> x, ArrayView<float> partial, int channels, int spatial, int count, int parts, int partLength)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int c = Grid.IdxX / parts, part = Grid.IdxX - c * parts;
        int begin = part * partLength;
        int end = begin + partLength < count ? begin + partLength : count;
        float acc = 0f;
        for (int p = begin + Group.IdxX; p < end; p += Group.DimX) acc += x[ChannelIndex(p, c, channels, spatial)];
        int n = end - begin;
        float mean = IlgpuGroupReduce.Sum(shared, acc) / n;
        float squares = 0f;
        for (int p = begin + Group.IdxX; p < end; p += Group.DimX)
        {
            float d = x[ChannelIndex(p, c, channels, spatial)] - mean;
            squares += d * d;
        }
        float m2 = IlgpuGroupReduce.Sum(shared, squares);
        if (Group.IdxX == 0)
        {
            int o = (c * parts + part) * 3;
            partial[o] = n;
            partial[o + 1] = mean;
            partial[o + 2] = m2;
        }
    }

    /// <summary>
    /// Pass 2, one thread per channel: the parts merged in part order by Chan et al.'s pairwise
    /// update (mean and M2 of the union from each side's count, mean and M2) — a fixed order, so
    /// bit-identical run after run; with one part it is the single-group result exactly.
    /// </summary>
    [IlgpuKernel]
    internal static void BatchNormStatsCombine(Index1D c, ArrayView<float> partial, ArrayView<float> runningMean, ArrayView<float> runningVar,
                                               ArrayView<float> saveMean, ArrayView<float> saveRstd, int count, int parts, float momentum, float eps)
    {
        int o = c * parts * 3;
        float n = partial[o], mean = partial[o + 1], m2 = partial[o + 2];
        for (int part = 1; part < parts; part++)
        {
            int q = o + part * 3;
            float nb = partial[q], delta = partial[q + 1] - mean;
            float total = n + nb;
            mean += delta * (nb / total);
            m2 += partial[q + 2] + delta * delta * (n * nb / total);
            n = total;
        }
        float variance = m2 / count;
        saveMean[c] = mean;
        saveRstd[c] = NormMath.Rstd(variance, eps);
        runningMean[c] = NormMath.Running(runningMean[c], mean, momentum);
        runningVar[c] = NormMath.Running(runningVar[c], NormMath.Unbiased(variance, count), momentum);
    }

    [IlgpuKernel]
    internal static void BatchNormEvalStats(Index1D c, ArrayView<float> runningMean, ArrayView<float> runningVar,
                                            ArrayView<float> saveMean, ArrayView<float> saveRstd, float eps)
    {
        saveMean[c] = runningMean[c];
        saveRstd[c] = NormMath.Rstd(runningVar[c], eps);
    }

    /// <summary>w'[i] = w[i]·s and, at each channel's first weight, b' = (b − mean)·s + β, with s = rstd·γ (the CPU's order).</summary>
    [IlgpuKernel]
    internal static void FoldBatchNorm(Index1D t, ArrayView<float> weight, ArrayView<float> bias, ArrayView<float> gamma, ArrayView<float> beta,
                                       ArrayView<float> runningMean, ArrayView<float> runningVar, ArrayView<float> foldedWeight,
                                       ArrayView<float> foldedBias, int n, int perChannel, int hasBias, float eps)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            int c = i / perChannel;
            float scale = NormMath.Rstd(runningVar[c], eps) * gamma[c];
            foldedWeight[i] = weight[i] * scale;
            if (i - c * perChannel == 0) foldedBias[c] = ((hasBias != 0 ? bias[c] : 0f) - runningMean[c]) * scale + beta[c];
        }
    }

    /// <summary>y = (x − mean)·(rstd·γ) + β, the CPU's order.</summary>
    [IlgpuKernel]
    internal static void BatchNormApply(Index1D t, ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta,
                                        ArrayView<float> saveMean, ArrayView<float> saveRstd, ArrayView<float> y, int n, int channels, int spatial)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            int c = i / spatial % channels;
            y[i] = (x[i] - saveMean[c]) * (saveRstd[c] * gamma[c]) + beta[c];
        }
    }

    /// <summary>
    /// Pass 1 of the gradient sums: group (c, part) writes Σ dy and Σ dy·(x − mean) over its part of
    /// channel c to partial[(c·parts + part)·2 …] (as <see cref="BatchNormStats"/>, many groups a channel).
    /// </summary>
    [IlgpuKernel]
    internal static void BatchNormBackwardReduce(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> saveMean, ArrayView<float> partial,
                                                 int channels, int spatial, int count, int parts, int partLength)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int c = Grid.IdxX / parts, part = Grid.IdxX - c * parts;
        int begin = part * partLength;
        int end = begin + partLength < count ? begin + partLength : count;
        float mean = saveMean[c];
        float sumDy = 0f, sumDyX = 0f;
        for (int p = begin + Group.IdxX; p < end; p += Group.DimX)
        {
            int j = ChannelIndex(p, c, channels, spatial);
            sumDy += dy[j];
            sumDyX += dy[j] * (x[j] - mean);
        }
        float db = IlgpuGroupReduce.Sum(shared, sumDy);
        float dg = IlgpuGroupReduce.Sum(shared, sumDyX);
        if (Group.IdxX == 0)
        {
            int o = (c * parts + part) * 2;
            partial[o] = db;
            partial[o + 1] = dg;
        }
    }

    /// <summary>Pass 2, one thread per channel: dβ = Σ_parts, dγ = rstd·Σ_parts, the parts added in order.</summary>
    [IlgpuKernel]
    internal static void BatchNormBackwardCombine(Index1D c, ArrayView<float> partial, ArrayView<float> saveRstd,
                                                  ArrayView<float> dgamma, ArrayView<float> dbeta, int parts)
    {
        int o = c * parts * 2;
        float db = 0f, dg = 0f;
        for (int part = 0; part < parts; part++)
        {
            db += partial[o + part * 2];
            dg += partial[o + part * 2 + 1];
        }
        dgamma[c] = dg * saveRstd[c];
        dbeta[c] = db;
    }

    /// <summary>dx = a·dy − shift − (x − mean)·slope with a = γ·rstd; shift = slope = 0 in evaluation.</summary>
    [IlgpuKernel]
    internal static void BatchNormBackwardData(Index1D t, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> gamma,
                                               ArrayView<float> saveMean, ArrayView<float> saveRstd, ArrayView<float> dgamma, ArrayView<float> dbeta,
                                               ArrayView<float> dx, int n, int channels, int spatial, int count, int training)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            int c = i / spatial % channels;
            float rstd = saveRstd[c];
            float a = gamma[c] * rstd;
            float shift = training != 0 ? a * dbeta[c] / count : 0f;
            float slope = training != 0 ? a * rstd * dgamma[c] / count : 0f;
            dx[i] = a * dy[i] - shift - (x[i] - saveMean[c]) * slope;
        }
    }

    [IlgpuKernel]
    internal static void LayerNorm(ArrayView<float> x, ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y,
                                   ArrayView<float> saveMean, ArrayView<float> saveRstd, int cols, float eps)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int row = Grid.IdxX;
        int baseIndex = row * cols;
        float acc = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX) acc += x[baseIndex + c];
        float mean = IlgpuGroupReduce.Sum(shared, acc) / cols;
        float squares = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            float d = x[baseIndex + c] - mean;
            squares += d * d;
        }
        float rstd = NormMath.Rstd(IlgpuGroupReduce.Sum(shared, squares) / cols, eps);
        if (Group.IdxX == 0)
        {
            saveMean[row] = mean;
            saveRstd[row] = rstd;
        }
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
            y[baseIndex + c] = (x[baseIndex + c] - mean) * rstd * gamma[c] + beta[c];
    }

    /// <summary>With g = dy·γ: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)).</summary>
    [IlgpuKernel]
    internal static void LayerNormBackwardData(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> gamma,
                                               ArrayView<float> saveMean, ArrayView<float> saveRstd, ArrayView<float> dx, int cols)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int row = Grid.IdxX;
        int baseIndex = row * cols;
        float mean = saveMean[row], rstd = saveRstd[row];
        float sumG = 0f, sumGX = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            float g = dy[baseIndex + c] * gamma[c];
            sumG += g;
            sumGX += g * ((x[baseIndex + c] - mean) * rstd);
        }
        float meanG = IlgpuGroupReduce.Sum(shared, sumG) / cols;
        float meanGX = IlgpuGroupReduce.Sum(shared, sumGX) / cols;
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            float g = dy[baseIndex + c] * gamma[c];
            float xhat = (x[baseIndex + c] - mean) * rstd;
            dx[baseIndex + c] = (g - xhat * meanGX - meanG) * rstd;
        }
    }

    /// <summary>dγ[c] = Σ_r dy·x̂ and dβ[c] = Σ_r dy, rows in increasing order.</summary>
    [IlgpuKernel]
    internal static void LayerNormBackwardParams(Index1D job, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> saveMean, ArrayView<float> saveRstd,
                                                 ArrayView<float> partialGamma, ArrayView<float> partialBeta, int rows, int cols, int rowsPerPart)
    {
        // job = part·cols + c: neighbouring threads read neighbouring columns of the same rows.
        int part = job / cols, c = job - part * cols;
        int begin = part * rowsPerPart;
        int end = begin + rowsPerPart < rows ? begin + rowsPerPart : rows;
        float accGamma = 0f, accBeta = 0f;
        for (int r = begin; r < end; r++)
        {
            int j = r * cols + c;
            float d = dy[j];
            accGamma += d * ((x[j] - saveMean[r]) * saveRstd[r]);
            accBeta += d;
        }
        partialGamma[job] = accGamma;
        partialBeta[job] = accBeta;
    }
}
