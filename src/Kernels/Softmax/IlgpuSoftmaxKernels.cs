using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Softmax;

/// <summary>
/// Row-wise softmax, log-softmax and fused cross-entropy: one group per row (group size the
/// smallest power of two covering the row, between the warp size and 256), each thread walking
/// the columns t, t + G, …; the row max and sums use <see cref="IlgpuGroupReduce"/>'s fixed tree.
/// exp/log compile to the approximate PTX instructions on CUDA (EnableAlgorithms), so CUDA agrees
/// with the CPU to ~1e-6 relative, not bit for bit.
/// </summary>
internal static class IlgpuSoftmaxKernels
{
    [IlgpuKernel]
    internal static void Softmax(ArrayView<float> x, ArrayView<float> y, int cols, int log)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int baseIndex = Grid.IdxX * cols;
        float max = LogSoftmaxShift(shared, x, baseIndex, cols, out float logSum, out float sum);
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            float shifted = x[baseIndex + c] - max;
            y[baseIndex + c] = log != 0 ? shifted - logSum : MathF.Exp(shifted) / sum;
        }
    }

    /// <summary>Row max, then Σ exp(x − max) and its log (the shared part of softmax and cross-entropy).</summary>
    private static float LogSoftmaxShift(ArrayView<float> shared, ArrayView<float> x, int baseIndex, int cols, out float logSum, out float sum)
    {
        float max = float.NegativeInfinity;
        for (int c = Group.IdxX; c < cols; c += Group.DimX) max = IlgpuGroupReduce.MaxNaN(max, x[baseIndex + c]);
        max = IlgpuGroupReduce.Max(shared, max);
        float partial = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX) partial += MathF.Exp(x[baseIndex + c] - max);
        sum = IlgpuGroupReduce.Sum(shared, partial);
        logSum = MathF.Log(sum);
        return max;
    }

    /// <summary>softmax: dx = y·(dy − Σ dy·y); log-softmax: dx = dy − exp(y)·Σ dy.</summary>
    [IlgpuKernel]
    internal static void SoftmaxBackward(ArrayView<float> y, ArrayView<float> dy, ArrayView<float> dx, int cols, int log)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int baseIndex = Grid.IdxX * cols;
        float partial = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
            partial += log != 0 ? dy[baseIndex + c] : dy[baseIndex + c] * y[baseIndex + c];
        float s = IlgpuGroupReduce.Sum(shared, partial);
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            int j = baseIndex + c;
            dx[j] = log != 0 ? dy[j] - MathF.Exp(y[j]) * s : y[j] * (dy[j] - s);
        }
    }

    /// <summary>logProbs = log-softmax(logits); loss = −(1−ε)·logProbs[label] − ε/cols·Σ logProbs.</summary>
    [IlgpuKernel]
    internal static void CrossEntropy(ArrayView<float> logits, ArrayView<int> labels, ArrayView<float> logProbs, ArrayView<float> loss,
                                      int cols, float smoothing)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int row = Grid.IdxX;
        int baseIndex = row * cols;
        float max = LogSoftmaxShift(shared, logits, baseIndex, cols, out float logSum, out _);
        float partial = 0f;
        for (int c = Group.IdxX; c < cols; c += Group.DimX)
        {
            float lp = logits[baseIndex + c] - max - logSum;
            logProbs[baseIndex + c] = lp;
            partial += lp;
        }
        float total = IlgpuGroupReduce.Sum(shared, partial);
        if (Group.IdxX == 0)
        {
            int label = labels[row];
            float nll = -(logits[baseIndex + label] - max - logSum);
            loss[row] = smoothing == 0f ? nll : (1f - smoothing) * nll - smoothing / cols * total;
        }
    }

    /// <summary>dlogits[r, c] = dloss[r]·(exp(logProbs[r, c]) − target[r, c]), flat over rows·cols.</summary>
    [IlgpuKernel]
    internal static void CrossEntropyBackward(Index1D t, ArrayView<float> logProbs, ArrayView<int> labels, ArrayView<float> dloss,
                                              ArrayView<float> dlogits, int n, int cols, float smoothing)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        float offTarget = smoothing / cols;
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int r = j / cols;
            float target = (j - r * cols == labels[r] ? 1f - smoothing : 0f) + offTarget;
            dlogits[j] = dloss[r] * (MathF.Exp(logProbs[j]) - target);
        }
    }
}
