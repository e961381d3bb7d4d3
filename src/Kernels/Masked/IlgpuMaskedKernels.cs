using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// Channel gather/scatter and the weight mask. Gather, scatter and the mask itself are flat
/// launches in the elementwise style (thread t handles t, t + T, …), indexed so that consecutive
/// threads touch consecutive inner positions: coalesced reads and writes. The mask gradients are
/// fixed-order group reductions (no atomics): one group per output channel over its contiguous
/// row, and for the input channels a tile of <see cref="Columns"/> channels × <see cref="Lanes"/>
/// row lanes, so neighbouring threads read neighbouring addresses even for a linear (area 1).
/// </summary>
internal static class IlgpuMaskedKernels
{
    public const int Columns = 32, Lanes = 8;

    /// <summary>Threads of one input-mask-gradient group: 256, the tiled GEMM's group, which IlgpuBackend already requires of the device.</summary>
    public const int InMaskGroup = Columns * Lanes;

    /// <summary>y[j] = x[o, idx[p], i] for j = (o·count + p)·inner + i.</summary>
    [IlgpuKernel]
    internal static void GatherChannels(Index1D t, ArrayView<float> x, ArrayView<int> idx, ArrayView<float> y, int n, int count, int width, int inner)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int r = j / inner;
            int o = r / count;
            y[j] = x[(o * width + idx[r - o * count]) * inner + (j - r * inner)];
        }
    }

    /// <summary>x[o, idx[p], i] = y[j] for every j of y; x's other channels untouched (indices are distinct: no races).</summary>
    [IlgpuKernel]
    internal static void ScatterChannels(Index1D t, ArrayView<float> y, ArrayView<int> idx, ArrayView<float> x, int n, int count, int width, int inner)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int r = j / inner;
            int o = r / count;
            x[(o * width + idx[r - o * count]) * inner + (j - r * inner)] = y[j];
        }
    }

    /// <summary>Every x[j], j = (o·width + c)·inner + i, from y at c's position, or 0 for a dropped c.</summary>
    [IlgpuKernel]
    internal static void ScatterChannelsZero(Index1D t, ArrayView<float> y, ArrayView<int> pos, ArrayView<float> x, int n, int count, int width, int inner)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int r = j / inner;
            int o = r / width;
            int p = pos[r - o * width];
            x[j] = p >= 0 ? y[(o * count + p) * inner + (j - r * inner)] : 0f;
        }
    }

    /// <summary>y[j] = w[j]·(outMask[o]·inMask[c]); hasInMask = 0: inMask is a placeholder, never read.</summary>
    [IlgpuKernel]
    internal static void MaskWeight(Index1D t, ArrayView<float> w, ArrayView<float> outMask, ArrayView<float> inMask, ArrayView<float> y,
                                    int n, int inChannels, int kernelArea, int hasInMask)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        int row = inChannels * kernelArea;
        for (int e = 0, j = t; e < IlgpuElementwiseKernels.ElementsPerThread && j < n; e++, j += stride)
        {
            int o = j / row;
            float scale = hasInMask != 0 ? outMask[o] * inMask[(j - o * row) / kernelArea] : outMask[o];
            y[j] = w[j] * scale;
        }
    }

    /// <summary>dOutMask[o] = Σ_{c,k} dy·w·inMask[c] by one group per o: strided partials over the row, then the tree.</summary>
    [IlgpuKernel]
    internal static void MaskWeightGradOut(ArrayView<float> w, ArrayView<float> inMask, ArrayView<float> dy, ArrayView<float> dOutMask,
                                           int inChannels, int kernelArea, int hasInMask)
    {
        var shared = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        int o = Grid.IdxX;
        int row = inChannels * kernelArea;
        int rowStart = o * row;
        float acc = 0f;
        for (int p = Group.IdxX; p < row; p += Group.DimX)
        {
            float term = dy[rowStart + p] * w[rowStart + p];
            acc += hasInMask != 0 ? term * inMask[p / kernelArea] : term;
        }
        float total = IlgpuGroupReduce.Sum(shared, acc);
        if (Group.IdxX == 0) dOutMask[o] = total;
    }

    /// <summary>
    /// dInMask[c] = Σ_{o,k} dy·w·outMask[o]. Group g covers channels g·Columns + col; lane ℓ walks
    /// o = ℓ, ℓ + Lanes, … in order; lane 0 then adds the Lanes partials in order.
    /// </summary>
    [IlgpuKernel]
    internal static void MaskWeightGradIn(ArrayView<float> w, ArrayView<float> outMask, ArrayView<float> dy, ArrayView<float> dInMask,
                                          int outChannels, int inChannels, int kernelArea)
    {
        var partial = SharedMemory.Allocate<float>(InMaskGroup);
        int col = Group.IdxX % Columns;
        int lane = Group.IdxX / Columns;
        int c = Grid.IdxX * Columns + col;
        float acc = 0f;
        if (c < inChannels)
        {
            int row = inChannels * kernelArea;
            for (int o = lane; o < outChannels; o += Lanes)
            {
                int at = o * row + c * kernelArea;
                float dot = 0f;
                for (int k = 0; k < kernelArea; k++) dot += dy[at + k] * w[at + k];
                acc += outMask[o] * dot;
            }
        }
        partial[Group.IdxX] = acc;
        Group.Barrier();
        if (lane == 0 && c < inChannels)
        {
            float total = partial[col];
            for (int l = 1; l < Lanes; l++) total += partial[l * Columns + col];
            dInMask[c] = total;
        }
    }
}
