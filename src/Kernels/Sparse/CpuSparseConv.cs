using System.Buffers;
using System.Numerics.Tensors;
using SparseCore.Kernels.Conv;

namespace SparseCore.Kernels.Sparse;

/// <summary>
/// The sparse-weight conv forward on the CPU, CpuShiftedConv's idea without the GEMM. Each image
/// is copied once into a zero-bordered buffer in which one tap of the kernel, over all output
/// positions, is a single contiguous run shifted by a fixed offset; an output channel is then its
/// nonzeros' runs multiply-added (<see cref="SparseRowTile"/>), one vectorised pass per nonzero
/// per 64 positions, and zero weights cost nothing.
/// For stride s the bordered image is split into s_h × s_w phases (rows ≡ a mod s_h, columns ≡ b
/// mod s_w, each a plane of ⌈(H + 2·PadH) / s_h⌉ × Cols), so output (oh, ow) reads tap (ky, kx) at row
/// oh + ky / s_h, column ow + kx / s_w of phase (ky mod s_h, kx mod s_w): a stride-1 read again.
/// Output positions are "wide", q = oh·Cols + ow: the Cols − OutW columns past each output row
/// are computed and dropped (at stride 1, 2·PadW of every W + 2·PadW; none without padding),
/// which is what lets a tap's reads for all positions be one run.
/// </summary>
internal static class CpuSparseConv
{
    /// <summary>y[n, co] = Σ over row co's nonzeros (c, ky, kx, v) of v·x[n, c] shifted by the tap (+ bias[co]).</summary>
    public static void Forward(Conv2dShape s, float[] x, int[] rowStarts, int[] taps, float[] values, float[]? bias, float[] y)
    {
        var layout = new PhaseLayout(s);
        int nonzeros = rowStarts[s.Cout];
        int[] offsets = ArrayPool<int>.Shared.Rent(Math.Max(1, nonzeros));
        try
        {
            for (int e = 0; e < nonzeros; e++) offsets[e] = layout.Offset(taps[e]);
            int inPlane = s.Cin * s.H * s.W, outPlane = s.OutH * s.OutW;
            long rowWork = (long)Math.Max(1, nonzeros / s.Cout) * layout.Tiles * SparseRowTile.Width;
            CpuSparseSchedule.Run(s.N, s.Cout, rowWork, layout.Floats,
                (n, input) => layout.Stack(x.AsSpan(n * inPlane, inPlane), input),
                (n, first, end, input) =>
                {
                    var wide = CpuSparseSchedule.RowScratch(layout.Tiles * SparseRowTile.Width);
                    for (int co = first; co < end; co++)
                    {
                        var yRow = y.AsSpan((n * s.Cout + co) * outPlane, outPlane);
                        int start = rowStarts[co], count = rowStarts[co + 1] - start;
                        if (count == 0)
                        {
                            yRow.Fill(bias?[co] ?? 0f);
                            continue;
                        }
                        for (int t = 0; t < layout.Tiles; t++)
                            SparseRowTile.Run(values.AsSpan(start, count), offsets.AsSpan(start, count), input, t * SparseRowTile.Width,
                                              wide.Slice(t * SparseRowTile.Width, SparseRowTile.Width));
                        layout.Unwiden(wide, yRow, bias?[co]);
                    }
                });
        }
        finally
        {
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>The phase-split, zero-bordered copy of one image, and where each tap reads in it.</summary>
    private readonly struct PhaseLayout
    {
        private readonly Conv2dShape s;

        public PhaseLayout(in Conv2dShape shape)
        {
            s = shape;
            int rows = (s.H + 2 * s.PadH + s.StrideH - 1) / s.StrideH;
            Cols = (s.W + 2 * s.PadW + s.StrideW - 1) / s.StrideW;
            Plane = checked(rows * Cols);
            ChannelFloats = checked(s.StrideH * s.StrideW * Plane);
            Tiles = ((s.OutH - 1) * Cols + s.OutW + SparseRowTile.Width - 1) / SparseRowTile.Width;
            // A tile reads up to Width − 1 floats past its run's start, and every run starts before
            // the last channel's end: Width·Tiles of slack after the channels covers all of them.
            Floats = checked(s.Cin * ChannelFloats + Tiles * SparseRowTile.Width);
        }

        /// <summary>Columns of one phase plane, and its floats.</summary>
        public int Cols { get; }
        public int Plane { get; }
        /// <summary>Floats per input channel: its s_h·s_w phase planes.</summary>
        public int ChannelFloats { get; }
        /// <summary>64-position tiles covering the wide positions up to the last real output.</summary>
        public int Tiles { get; }
        public int Floats { get; }

        /// <summary>Where the run of packed tap (c, ky, kx) starts for wide position 0.</summary>
        public int Offset(int tap)
        {
            int c = SparseTap.Channel(tap), ky = SparseTap.Row(tap), kx = SparseTap.Column(tap);
            int phase = ky % s.StrideH * s.StrideW + kx % s.StrideW;
            return c * ChannelFloats + phase * Plane + ky / s.StrideH * Cols + kx / s.StrideW;
        }

        /// <summary>
        /// The image's real rows and columns into their phases; borders and unused phase cells are
        /// left as they are (zero from the first clear, no image writes them).
        /// </summary>
        public void Stack(ReadOnlySpan<float> image, Span<float> buffer)
        {
            int sh = s.StrideH, sw = s.StrideW;
            for (int c = 0; c < s.Cin; c++)
                for (int ih = 0; ih < s.H; ih++)
                {
                    int row = ih + s.PadH, phaseRow = row / sh;
                    var src = image.Slice((c * s.H + ih) * s.W, s.W);
                    var dst = buffer[(c * ChannelFloats + row % sh * sw * Plane + phaseRow * Cols)..];
                    if (sw == 1)
                    {
                        src.CopyTo(dst.Slice(s.PadW, s.W));
                        continue;
                    }
                    // Column iw + PadW goes to phase (iw + PadW) mod sw at (iw + PadW) / sw, stepped without dividing.
                    for (int iw = 0, b = s.PadW % sw, col = s.PadW / sw; iw < s.W; iw++)
                    {
                        dst[b * Plane + col] = src[iw];
                        if (++b == sw) { b = 0; col++; }
                    }
                }
        }

        /// <summary>Each output row's OutW real positions of the wide row, plus the bias once.</summary>
        public void Unwiden(ReadOnlySpan<float> wide, Span<float> yRow, float? bias)
        {
            for (int oh = 0; oh < s.OutH; oh++)
            {
                var src = wide.Slice(oh * Cols, s.OutW);
                var dst = yRow.Slice(oh * s.OutW, s.OutW);
                if (bias is null) src.CopyTo(dst);
                else TensorPrimitives.Add(src, bias.Value, dst);
            }
        }
    }
}
