using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Norm;

/// <summary>
/// Batch-norm: one group per channel for the statistics and the gradient sums (thread t takes the
/// channel's values t, t + G, … of the flattened (n, spatial) index, then <see cref="IlgpuGroupReduce"/>'s
/// fixed tree), flat launches for the elementwise parts. Layer-norm: one group per row for the
/// forward and dx, one thread per column for dγ/dβ (rows in increasing order; neighbouring threads
/// read neighbouring columns). Both take the variance in two passes, about the mean.
/// </summary>
internal static class IlgpuNormKernels
{
    /// <summary>Flattened (n, spatial) value p of channel c.</summary>
    private static int ChannelIndex(int p, int c, int channels, int spatial)
    {
        int n = p / spatial;
        return (n * channels + c) * spatial + (p - n * spatial);
    }

    [IlgpuKernel]
    internal static void BatchNormStats(ArrayView<float> x, ArrayView<float> runningMean, ArrayView<float> runningVar,
                                        ArrayView<float> saveMean, ArrayView<float> saveRstd,
                                        int channels, int spatial, int count, float momentum, float eps)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int c = Grid.IdxX;
        float acc = 0f;
        for (int p = Group.IdxX; p < count; p += Group.DimX) acc += x[ChannelIndex(p, c, channels, spatial)];
        float mean = IlgpuGroupReduce.Sum(shared, acc) / count;
        float squares = 0f;
        for (int p = Group.IdxX; p < count; p += Group.DimX)
        {
            float d = x[ChannelIndex(p, c, channels, spatial)] - mean;
            squares += d * d;
        }
        float variance = IlgpuGroupReduce.Sum(shared, squares) / count;
        if (Group.IdxX == 0)
        {
            saveMean[c] = mean;
            saveRstd[c] = NormMath.Rstd(variance, eps);
            runningMean[c] = NormMath.Running(runningMean[c], mean, momentum);
            runningVar[c] = NormMath.Running(runningVar[c], NormMath.Unbiased(variance, count), momentum);
        }
    }

    [IlgpuKernel]
    internal static void BatchNormEvalStats(Index1D c, ArrayView<float> runningMean, ArrayView<float> runningVar,
                                            ArrayView<float> saveMean, ArrayView<float> saveRstd, float eps)
    {
        saveMean[c] = runningMean[c];
        saveRstd[c] = NormMath.Rstd(runningVar[c], eps);
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

    /// <summary>dβ = Σ dy and dγ = rstd·Σ dy·(x − mean) per channel.</summary>
    [IlgpuKernel]
    internal static void BatchNormBackwardReduce(ArrayView<float> x, ArrayView<float> dy, ArrayView<float> saveMean, ArrayView<float> saveRstd,
                                                 ArrayView<float> dgamma, ArrayView<float> dbeta, int channels, int spatial, int count)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int c = Grid.IdxX;
        float mean = saveMean[c];
        float sumDy = 0f, sumDyX = 0f;
        for (int p = Group.IdxX; p < count; p += Group.DimX)
        {
            int j = ChannelIndex(p, c, channels, spatial);
            sumDy += dy[j];
            sumDyX += dy[j] * (x[j] - mean);
        }
        float db = IlgpuGroupReduce.Sum(shared, sumDy);
        float dg = IlgpuGroupReduce.Sum(shared, sumDyX) * saveRstd[c];
        if (Group.IdxX == 0)
        {
            dgamma[c] = dg;
            dbeta[c] = db;
        }
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
    internal static void LayerNormBackwardParams(Index1D c, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> saveMean, ArrayView<float> saveRstd,
                                                 ArrayView<float> dgamma, ArrayView<float> dbeta, int rows, int cols)
    {
        float accGamma = 0f, accBeta = 0f;
        for (int r = 0; r < rows; r++)
        {
            int j = r * cols + c;
            float d = dy[j];
            accGamma += d * ((x[j] - saveMean[r]) * saveRstd[r]);
            accBeta += d;
        }
        dgamma[c] = accGamma;
        dbeta[c] = accBeta;
    }
}
