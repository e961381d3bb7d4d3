using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Layout;

/// <summary>
/// Layout kernels as flat gathers: one thread per output element (ElementsPerThread of them, a
/// launch-wide stride apart), each decoding its output coordinates and reading the one input
/// element that lands there. Writes are coalesced; reads are as scattered as the layout makes them
/// (heads of d contiguous values, patch runs of p), which suits tensors the size of ViT activations.
/// </summary>
internal static class IlgpuLayoutKernels
{
    [IlgpuKernel]
    internal static void Permute(Index1D t, ArrayView<float> x, ArrayView<float> y, PermuteSpec p, int n)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < n; e++, k += stride)
        {
            int j3 = k % p.Y3, r = k / p.Y3;
            int j2 = r % p.Y2; r /= p.Y2;
            int j1 = r % p.Y1, j0 = r / p.Y1;
            y[k] = x[j0 * p.S0 + j1 * p.S1 + j2 * p.S2 + j3 * p.S3];
        }
    }

    /// <summary>k runs over [outer, length, inner] of the copied block.</summary>
    [IlgpuKernel]
    internal static void CopyAxis(Index1D t, ArrayView<float> x, ArrayView<float> y, int n, int inner, int length,
                                  int srcAxis, int srcStart, int dstAxis, int dstStart)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < n; e++, k += stride)
        {
            int i = k % inner, r = k / inner;
            int a = r % length, o = r / length;
            y[(o * dstAxis + dstStart + a) * inner + i] = x[(o * srcAxis + srcStart + a) * inner + i];
        }
    }

    /// <summary>k runs over y [n, patches, (c, ky, kx)].</summary>
    [IlgpuKernel]
    internal static void Patchify(Index1D t, ArrayView<float> x, ArrayView<float> y, int total, int c, int h, int w, int patch)
    {
        int stride = IlgpuElementwiseKernels.Threads(total);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < total; e++, k += stride)
            y[k] = x[ImageIndex(k, c, h, w, patch)];
    }

    /// <summary>k runs over dx [n, c, h, w]: the exact inverse gather.</summary>
    [IlgpuKernel]
    internal static void PatchifyBackward(Index1D t, ArrayView<float> dy, ArrayView<float> dx, int total, int c, int h, int w, int patch)
    {
        int stride = IlgpuElementwiseKernels.Threads(total);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < total; e++, k += stride)
            dx[k] = dy[PatchIndex(k, c, h, w, patch)];
    }

    /// <summary>k runs over y [n, outC, oh, ow]: the sampled input element, or 0 in a padded channel.</summary>
    [IlgpuKernel]
    internal static void SubsamplePad(Index1D t, ArrayView<float> x, ArrayView<float> y, int total, int c, int h, int w, int outC, int stride)
    {
        int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
        int threads = IlgpuElementwiseKernels.Threads(total);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < total; e++, k += threads)
        {
            int j = k % ow, r = k / ow;
            int i = r % oh; r /= oh;
            int ch = r % outC, n = r / outC;
            y[k] = ch < c ? x[((n * c + ch) * h + i * stride) * w + j * stride] : 0f;
        }
    }

    /// <summary>k runs over dx [n, c, h, w]: dy's element where the stride divides both coordinates, else 0.</summary>
    [IlgpuKernel]
    internal static void SubsamplePadBackward(Index1D t, ArrayView<float> dy, ArrayView<float> dx, int total, int c, int h, int w, int outC, int stride)
    {
        int oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
        int threads = IlgpuElementwiseKernels.Threads(total);
        for (int e = 0, k = t; e < IlgpuElementwiseKernels.ElementsPerThread && k < total; e++, k += threads)
        {
            int col = k % w, r = k / w;
            int row = r % h; r /= h;
            int ch = r % c, n = r / c;
            dx[k] = row % stride == 0 && col % stride == 0 ? dy[((n * outC + ch) * oh + row / stride) * ow + col / stride] : 0f;
        }
    }

    /// <summary>The image element [img, ch, py·p + ky, px·p + kx] that patch element k holds.</summary>
    private static int ImageIndex(int k, int c, int h, int w, int patch)
    {
        int pp = patch * patch, width = c * pp, wp = w / patch, patches = h / patch * wp;
        int col = k % width, r = k / width;
        int pi = r % patches, img = r / patches;
        int ch = col / pp, inPatch = col - ch * pp;
        int ky = inPatch / patch, kx = inPatch - ky * patch;
        int py = pi / wp, px = pi - py * wp;
        return ((img * c + ch) * h + py * patch + ky) * w + px * patch + kx;
    }

    /// <summary>The patch element that image element k = [img, ch, row, col] lands in.</summary>
    private static int PatchIndex(int k, int c, int h, int w, int patch)
    {
        int wp = w / patch, patches = h / patch * wp, width = c * patch * patch;
        int col = k % w, r = k / w;
        int row = r % h; r /= h;
        int ch = r % c, img = r / c;
        int pi = row / patch * wp + col / patch;
        return (img * patches + pi) * width + (ch * patch + row % patch) * patch + col % patch;
    }
}
