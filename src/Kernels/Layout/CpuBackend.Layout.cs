using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Cpu;

/// <summary>
/// Layout kernels as row copies: each work item is an output row whose source is either contiguous
/// (a span copy) or one fixed stride apart (a gather loop). Rows are split in fixed chunks.
/// </summary>
public partial class CpuBackend
{
    protected override void RunPermute(DeviceBuffer<float> x, DeviceBuffer<float> y, in PermuteSpec spec)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var p = spec;
        int rows = p.Y0 * p.Y1 * p.Y2, len = p.Y3;
        CpuParallel.For(rows, Math.Max(1, ElementGrain / len), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int j2 = r % p.Y2, j01 = r / p.Y2, j1 = j01 % p.Y1, j0 = j01 / p.Y1;
                int src = j0 * p.S0 + j1 * p.S1 + j2 * p.S2;
                var dst = ya.AsSpan(r * len, len);
                if (p.S3 == 1) xa.AsSpan(src, len).CopyTo(dst);
                else for (int j = 0; j < len; j++) dst[j] = xa[src + j * p.S3];
            }
        });
    }

    protected override void RunCopyAxis(DeviceBuffer<float> x, DeviceBuffer<float> y, in AxisCopy copy)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var c = copy;
        int block = c.Length * c.Inner;
        CpuParallel.For(c.Outer, Math.Max(1, ElementGrain / block), (s, e) =>
        {
            for (int o = s; o < e; o++)
                xa.AsSpan((o * c.SrcAxis + c.SrcStart) * c.Inner, block).CopyTo(ya.AsSpan((o * c.DstAxis + c.DstStart) * c.Inner, block));
        });
    }

    protected override void RunPatchify(DeviceBuffer<float> x, DeviceBuffer<float> y, int n, int c, int h, int w, int patch)
        => PatchRows(ArrayOf(x), ArrayOf(y), n, c, h, w, patch, toPatches: true);

    protected override void RunPatchifyBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int n, int c, int h, int w, int patch)
        => PatchRows(ArrayOf(dy), ArrayOf(dx), n, c, h, w, patch, toPatches: false);

    /// <summary>
    /// Walks the image rows (n, c, row): each row's w pixels are w/p runs of p contiguous values,
    /// run px landing at patch (row / p)·(w/p) + px, column (c·p + row % p)·p. Copies image → patches
    /// or, for the backward, patches → image.
    /// </summary>
    private static void PatchRows(float[] from, float[] to, int n, int c, int h, int w, int patch, bool toPatches)
    {
        int wp = w / patch, patches = h / patch * wp, width = c * patch * patch;
        CpuParallel.For(n * c * h, Math.Max(1, ElementGrain / w), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                int row = r % h, nc = r / h, ch = nc % c, img = nc / c;
                int patchBase = (img * patches + row / patch * wp) * width + (ch * patch + row % patch) * patch;
                for (int px = 0; px < wp; px++)
                {
                    int image = r * w + px * patch, patched = patchBase + px * width;
                    if (toPatches) from.AsSpan(image, patch).CopyTo(to.AsSpan(patched, patch));
                    else from.AsSpan(patched, patch).CopyTo(to.AsSpan(image, patch));
                }
            }
        });
    }

    /// <summary>One output row (n, c, i) per work item: a strided gather from x, or zeros for a padded channel.</summary>
    protected override void RunSubsamplePad(DeviceBuffer<float> x, DeviceBuffer<float> y, in SubsamplePadShape shape)
    {
        var xa = ArrayOf(x); var ya = ArrayOf(y);
        var s = shape;
        int oh = s.OutH, ow = s.OutW;
        CpuParallel.For(s.N * s.OutC * oh, Math.Max(1, ElementGrain / ow), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int i = r % oh, nc = r / oh, c = nc % s.OutC, n = nc / s.OutC;
                var dst = ya.AsSpan(r * ow, ow);
                if (c >= s.C)
                {
                    dst.Clear();
                    continue;
                }
                int src = ((n * s.C + c) * s.H + i * s.Stride) * s.W;
                if (s.Stride == 1) xa.AsSpan(src, ow).CopyTo(dst);
                else for (int j = 0; j < ow; j++) dst[j] = xa[src + j * s.Stride];
            }
        });
    }

    /// <summary>One dx row (n, c, h) per work item: zeros, with dy's row scattered every Stride-th column when Stride divides h.</summary>
    protected override void RunSubsamplePadBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, in SubsamplePadShape shape)
    {
        var dya = ArrayOf(dy); var dxa = ArrayOf(dx);
        var s = shape;
        int oh = s.OutH, ow = s.OutW;
        CpuParallel.For(s.N * s.C * s.H, Math.Max(1, ElementGrain / s.W), (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int h = r % s.H, nc = r / s.H, c = nc % s.C, n = nc / s.C;
                var dst = dxa.AsSpan(r * s.W, s.W);
                if (h % s.Stride != 0)
                {
                    dst.Clear();
                    continue;
                }
                var src = dya.AsSpan(((n * s.OutC + c) * oh + h / s.Stride) * ow, ow);
                if (s.Stride == 1)
                {
                    src.CopyTo(dst);
                    continue;
                }
                dst.Clear();
                for (int j = 0; j < ow; j++) dst[j * s.Stride] = src[j];
            }
        });
    }
}
