using System.Diagnostics;
using SparseCore.Kernels.Conv;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Layout;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Norm;
using SparseCore.Kernels.Optim;
using SparseCore.Kernels.Pool;
using SparseCore.Kernels.Random;
using SparseCore.Kernels.Sparse;

namespace SparseCore.Kernels.Diagnostics;

/// <summary>
/// `sparsecore selftest`: runs every kernel on a target device and on the CPU backend (itself
/// checked against double-precision references by the test suite) with the same random inputs of
/// odd shapes, and reports the normwise error ‖target − cpu‖ / ‖cpu‖ per kernel. This is how a
/// GPU machine without the .NET SDK checks the ILGPU kernels on real hardware.
/// </summary>
public sealed class KernelSelfTest(Backend target, Backend reference, bool small)
{
    private const double Exact = 1e-5, Transcendental = 1e-3;
    private readonly List<SelfTestResult> results = new();
    private ulong stream;

    public IReadOnlyList<SelfTestResult> Run()
    {
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            var spec = small ? new GemmSpec(ta, tb, 37, 29, 19, 1.5f, 0.5f, 2, 37 * 19, 19 * 29, 37 * 29)
                             : new GemmSpec(ta, tb, 515, 257, 129, 1.5f, 0.5f, 3, 515 * 129, 129 * 257, 515 * 257);
            Check($"gemm {(ta ? 'T' : 'N')}{(tb ? 'T' : 'N')}", spec.ToString(), Exact,
                [spec.RequiredA, spec.RequiredB, spec.RequiredC], 2, (b, x) => b.Gemm(spec, x[0], x[1], x[2]));
        }
        int n = small ? 1001 : 1_000_003;
        foreach (UnaryOp op in Enum.GetValues<UnaryOp>())
        {
            double tol = op is UnaryOp.Neg or UnaryOp.Relu or UnaryOp.Sign ? Exact : Transcendental;
            Check($"unary {op}", $"[{n}]", tol, [n, n], 1, (b, x) =>
            {
                if (op == UnaryOp.Log) b.Unary(UnaryOp.Exp, x[0], x[0], n); // positive inputs
                b.Unary(op, x[0], x[1], n);
            });
            Check($"unary {op} backward", $"[{n}]", tol, [n, n, n, n], 3, (b, x) =>
            {
                if (op == UnaryOp.Log) b.Unary(UnaryOp.Exp, x[0], x[0], n);
                b.Unary(op, x[0], x[1], n);
                b.UnaryBackward(op, x[0], x[1], x[2], x[3], n);
            });
        }
        var bc = small ? new Broadcast(3, 5, 7) : new Broadcast(32, 65, 257);
        foreach (BinaryOp op in Enum.GetValues<BinaryOp>())
        {
            Check($"binary {op}", bc.ToString(), Exact, [bc.Total, bc.Mid, bc.Total], 2, (b, x) =>
            {
                if (op == BinaryOp.Div) b.Affine(x[1], x[1], 0.25f, 1.5f, bc.Mid); // keep divisors away from 0
                b.Binary(op, x[0], x[1], x[2], bc);
            });
            Check($"binary {op} backward", bc.ToString(), Exact, [bc.Total, bc.Mid, bc.Total, bc.Total, bc.Mid], 3, (b, x) =>
            {
                if (op == BinaryOp.Div) b.Affine(x[1], x[1], 0.25f, 1.5f, bc.Mid);
                b.BinaryBackward(op, x[0], x[1], x[2], x[3], x[4], bc);
            });
        }
        Check("axpby", $"[{n}]", Exact, [n, n], 1, (b, x) => b.Axpby(0.75f, x[0], -1.25f, x[1], n));
        var (o, a, i) = small ? (3, 37, 5) : (17, 1025, 63);
        Check("reduce sum", $"[{o}, {a}, {i}]", Exact, [o * a * i, o * i], 1, (b, x) => b.ReduceSum(x[0], x[1], o, a, i, 0.5f));
        Check("reduce sum backward", $"[{o}, {a}, {i}]", Exact, [o * i, o * a * i], 1, (b, x) => b.ReduceSumBackward(x[0], x[1], o, a, i, 0.5f));
        Check("reduce max + backward", $"[{o}, {a}, {i}]", Exact, [o * a * i, o * i, o * i, o * a * i], 1, (b, x) =>
        {
            using var arg = b.Allocate<int>(o * i);
            b.ReduceMax(x[0], x[1], arg, o, a, i);
            b.ReduceMaxBackward(x[2], arg, x[3], o, a, i);
        });
        // Argmax of two random [rows, 3] matrices agree on about a third of the rows: a count to check.
        int pairs = small ? 37 : 100_003;
        Check("count equal (argmax agreement)", $"[{pairs}, 3]", Exact, [pairs * 3, pairs * 3, 2], 2, (b, x) =>
        {
            using var values = b.Allocate<float>(pairs);
            using var first = b.Allocate<int>(pairs);
            using var second = b.Allocate<int>(pairs);
            b.ReduceMax(x[0], values, first, pairs, 3, 1);
            b.ReduceMax(x[1], values, second, pairs, 3, 1);
            b.CountEqual(first, second, pairs, x[2], 1);
        });
        var (rows, cols) = small ? (7, 13) : (1023, 1001);
        foreach (bool log in new[] { false, true })
        {
            string name = log ? "log-softmax" : "softmax";
            Check($"{name} + backward", $"[{rows}, {cols}]", Transcendental, [rows * cols, rows * cols, rows * cols, rows * cols], 2, (b, x) =>
            {
                b.Softmax(x[0], x[1], rows, cols, log);
                b.SoftmaxBackward(x[1], x[2], x[3], rows, cols, log);
            });
        }
        Check("cross-entropy + backward", $"[{rows}, {cols}]", Transcendental, [rows * cols, rows * cols, rows, rows, rows * cols], 4, (b, x) =>
        {
            var labels = new int[rows];
            for (int r = 0; r < rows; r++) labels[r] = (r * 7919) % cols;
            using var l = b.Allocate<int>(rows);
            b.Upload<int>(labels, l);
            b.CrossEntropy(x[0], l, x[1], x[2], rows, cols, 0.1f);
            b.CrossEntropyBackward(x[1], l, x[3], x[4], rows, cols, 0.1f);
        });
        Check("sgd step", $"[{n}]", Exact, [n, n, n], 3, (b, x) =>
        {
            b.SgdStep(x[0], x[1], x[2], new SgdHyper(0.1f, 0.9f, 0f, 5e-4f, Nesterov: true), n);
        });
        foreach (bool decoupled in new[] { false, true })
            Check(decoupled ? "adamw step" : "adam step (L2 decay)", $"[{n}]", Exact, [n, n, n, n], 4, (b, x) =>
            {
                b.Affine(x[3], x[3], 0f, 0.01f, n); // second moments are non-negative
                b.AdamStep(x[0], x[1], x[2], x[3], new AdamHyper(1e-3f, WeightDecay: 1e-2f, Step: 3, DecoupledDecay: decoupled), n);
            });
        Check("fill random uniform", $"[{n}]", 0, [n], 1, (b, x) => b.FillRandom(x[0], RandomDistribution.Uniform, -1f, 2f, 42, 7));
        Check("fill random bernoulli (dropout mask)", $"[{n}]", 0, [n], 1, (b, x) => b.FillRandom(x[0], RandomDistribution.Bernoulli, 0.7f, 0f, 42, 7));
        CheckConv();
        CheckGatherConv();
        CheckSparse();
        CheckMasked();
        CheckChannelPenalty();
        CheckLstm();
        CheckLayout();
        CheckPool();
        CheckNorm();
        return results;
    }

    /// <summary>Channel gather/scatter through an unsorted selection, the weight mask with its three gradients, the score mask's backward and PASS's two recurrence masks.</summary>
    private void CheckMasked()
    {
        var (outer, width, inner) = small ? (3, 13, 7) : (16, 67, 63);
        int[] kept = small ? [11, 2, 7, 0, 12] : Enumerable.Range(0, 29).Select(j => (j * 37 + 5) % width).ToArray();
        long full = (long)outer * width * inner, part = (long)outer * kept.Length * inner;
        string shape = $"[{outer}, {width}→{kept.Length}, {inner}]";
        Check("gather channels", shape, Exact, [full, part], 1, (b, x) =>
        {
            using var sel = ChannelSelection.FromIndices(b, kept, width);
            b.GatherChannels(x[0], sel, x[1], outer, inner);
        });
        foreach (bool zero in new[] { false, true })
            Check(zero ? "scatter channels (zero others)" : "scatter channels", shape, Exact, [part, full], 1, (b, x) =>
            {
                using var sel = ChannelSelection.FromIndices(b, kept, width);
                b.ScatterChannels(x[0], sel, x[1], outer, inner, zero);
            });
        var (co, ci, area) = small ? (5, 7, 9) : (129, 67, 9);
        long nw = (long)co * ci * area;
        string wshape = $"[{co}, {ci}, {area}]";
        Check("mask weight", wshape, Exact, [nw, co, ci, nw], 3, (b, x) => b.MaskWeight(x[0], x[1], x[2], x[3], co, ci, area));
        Check("mask weight backward", wshape, Exact, [nw, co, ci, nw, nw, co, ci], 4, (b, x) =>
            b.MaskWeightBackward(x[0], x[1], x[2], x[3], x[4], x[5], x[6], co, ci, area));
        var (lo, li) = small ? (6, 37) : (1001, 515);
        Check("mask weight backward, no input mask", $"[{lo}, {li}]", Exact, [(long)lo * li, lo, (long)lo * li, (long)lo * li, lo], 3, (b, x) =>
            b.MaskWeightBackward(x[0], x[1], null, x[2], x[3], x[4], null, lo, li, 1));
        int ns = small ? 1031 : 1_000_003;
        Check("score mask backward", $"[{ns}]", Exact, [ns, ns, ns, ns, ns, ns], 4, (b, x) =>
            b.ScoreMaskBackward(x[0], x[1], x[2], x[3], x[4], x[5], ns));
        // PASS's recurrence in-masks, at a layer's width (the top mask is O(C²) by design).
        int nc = small ? 67 : 2048;
        Check("threshold mask", $"[{nc}]", Exact, [nc, nc], 1, (b, x) => b.ThresholdMask(x[0], nc, 0.25f, x[1]));
        Check("top-k mask", $"[{nc}] keep {nc / 3}", Exact, [nc, nc], 1, (b, x) => b.TopMask(x[0], nc, nc / 3, x[1]));
    }

    /// <summary>
    /// GrowReg's and DepGraph's penalties: a weight's input columns added to its rows' chain of
    /// squares, the unit scales of two segments (units pairing channels across them), and the
    /// penalty gradient of a column slice at an offset.
    /// </summary>
    private void CheckChannelPenalty()
    {
        var (outer, channels, inner) = small ? (3, 7, 5) : (64, 256, 9);
        long nw = (long)outer * channels * inner;
        int total = 2 * channels;
        string shape = $"[{outer}, {channels}, {inner}] at offset {channels}";
        // Rows of a [channels, outer·inner] weight fill segment 0; the same buffer's columns segment 1.
        int[][] members = Enumerable.Range(0, total).Select(p => p < channels ? new[] { p } : new[] { p, p - channels }).ToArray();
        Check("channel squares + unit scales", shape, Exact, [nw, total], 1, (b, x) =>
        {
            using var sums = b.Allocate<double>(total);
            using var units = new ChannelUnits(b, [channels, channels], members);
            b.ChannelSquares(x[0], 1, channels, outer * inner, sums, 0, accumulate: false);
            b.ChannelSquares(x[0], outer, channels, inner, sums, channels, accumulate: false);
            b.ChannelSquares(x[0], 1, channels, outer * inner, sums, channels, accumulate: true);
            b.UnitScales(sums, units, 0.5f, 16, x[1]);
        });
        Check("channel penalty", shape, Exact, [nw, total, nw], 2, (b, x) => b.ChannelPenalty(x[0], x[2], x[1], 0.75f, channels, outer, channels, inner));
    }

    /// <summary>The fused LSTM cell: forward into its saved gates and state, then the backward from them.</summary>
    private void CheckLstm()
    {
        var (batch, hidden) = small ? (3, 7) : (64, 257);
        long bh = (long)batch * hidden;
        // inputs: gates, b_ih, b_hh, c_prev, dState; outputs: activated, state, dGates, dc_prev
        Check("lstm cell + backward", $"[{batch}, 4·{hidden}]", Transcendental, [4 * bh, 4 * hidden, 4 * hidden, bh, 2 * bh, 4 * bh, 2 * bh, 4 * bh, bh], 5, (b, x) =>
        {
            b.LstmCellForward(batch, hidden, x[0], x[1], x[2], x[3], x[5], x[6]);
            b.LstmCellBackward(batch, hidden, x[5], x[3], x[6], x[4], x[7], x[8]);
        });
    }

    /// <summary>Attention's layout kernels: head permutations, an axis slice/placement, patchify and back; the ResNet shortcut's subsample-and-pad and back.</summary>
    private void CheckLayout()
    {
        int[] dims = small ? [2, 5, 3, 7] : [32, 65, 3, 64];
        int size = dims.Aggregate(1, (p, d) => p * d);
        foreach (int[] perm in new[] { new[] { 0, 2, 1, 3 }, [3, 1, 0, 2] })
            Check($"permute ({string.Join("", perm)})", $"[{string.Join(", ", dims)}]", Exact, [size, size], 1, (b, x) => b.Permute(x[0], x[1], dims, perm));
        var copy = small ? new AxisCopy(3, 5, 7, 2, 9, 3, 4) : new AxisCopy(64, 192, 65, 1, 70, 5, 64);
        Check("copy axis", copy.ToString(), Exact, [copy.SrcTotal, copy.DstTotal], 1, (b, x) => b.CopyAxis(x[0], x[1], copy));
        var (pn, pc, ph, pw, pp) = small ? (2, 3, 6, 9, 3) : (64, 3, 32, 32, 4);
        long image = (long)pn * pc * ph * pw;
        Check("patchify + backward", $"[{pn}, {pc}, {ph}, {pw}] patch {pp}", Exact, [image, image, image], 1, (b, x) =>
        {
            b.Patchify(x[0], x[1], pn, pc, ph, pw, pp);
            b.PatchifyBackward(x[1], x[2], pn, pc, ph, pw, pp);
        });
        var sub = small ? new SubsamplePadShape(2, 3, 9, 11, 5, 2) : new SubsamplePadShape(128, 16, 32, 32, 32, 2);
        Check("subsample pad + backward", sub.ToString(), Exact, [sub.InputSize, sub.OutputSize, sub.InputSize], 1, (b, x) =>
        {
            b.SubsamplePad(x[0], x[1], sub);
            b.SubsamplePadBackward(x[1], x[2], sub);
        });
    }

    /// <summary>Max pooling (forward, argmax-routed backward) and average pooling at odd sizes, stride 2, padding 0/1/3.</summary>
    private void CheckPool()
    {
        var (n, c, h, w) = small ? (2, 3, 9, 11) : (32, 65, 33, 35);
        foreach (var (k, s, p) in new[] { (3, 2, 1), (2, 2, 0), (7, 2, 3) })
        {
            var shape = new Pool2dShape(n, c, h, w, k, s, p);
            long input = shape.InputSize, output = shape.OutputSize;
            Check($"max pool {k}×{k}/{s} pad {p} + backward", $"[{n}, {c}, {h}, {w}]", Exact, [input, output, output, input], 2, (b, x) =>
            {
                using var argmax = b.Allocate<int>((int)output);
                b.MaxPool2d(x[0], x[2], argmax, shape);
                b.MaxPool2dBackward(x[1], argmax, x[3], shape);
            });
            Check($"avg pool {k}×{k}/{s} pad {p} + backward", $"[{n}, {c}, {h}, {w}]", Exact, [input, output, output, input], 2, (b, x) =>
            {
                b.AvgPool2d(x[0], x[2], shape);
                b.AvgPool2dBackward(x[1], x[3], shape);
            });
        }
    }

    /// <summary>Batch-norm (train with the running-statistic update, eval) and layer-norm, each forward then backward; the inference fold of batch-norm into a conv.</summary>
    private void CheckNorm()
    {
        var bn = small ? new BatchNormShape(3, 5, 63) : new BatchNormShape(32, 65, 17 * 19);
        long size = bn.Size, ch = bn.C;
        foreach (bool training in new[] { true, false })
        {
            // x, γ, β, dy, then outputs: running mean/var (updated in training), y, mean, rstd, dx, dγ, dβ.
            Check($"batch-norm {(training ? "train" : "eval")} + backward", $"[{bn.N}, {bn.C}, {bn.Spatial}]", Exact,
                [size, ch, ch, size, ch, ch, size, ch, ch, size, ch, ch], 4, (b, x) =>
            {
                b.Affine(x[5], x[5], 0.5f, 1f, bn.C); // running variances are positive
                b.BatchNorm2d(x[0], x[1], x[2], x[4], x[5], x[6], x[7], x[8], bn, training, 0.1f, 1e-5f);
                b.BatchNorm2dBackward(x[0], x[3], x[1], x[7], x[8], x[9], x[10], x[11], bn, training);
            });
        }
        // w, bias, γ, β, mean, var, then outputs w', b' (with and without a conv bias).
        var (foldC, foldK) = small ? (5, 27) : (257, 1152);
        foreach (bool withBias in new[] { true, false })
            Check($"batch-norm fold{(withBias ? " (conv bias)" : "")}", $"[{foldC}, {foldK}]", Exact,
                [(long)foldC * foldK, foldC, foldC, foldC, foldC, foldC, (long)foldC * foldK, foldC], 6, (b, x) =>
            {
                b.Affine(x[5], x[5], 0.5f, 1f, foldC); // running variances are positive
                b.FoldBatchNorm(x[0], withBias ? x[1] : null, x[2], x[3], x[4], x[5], x[6], x[7], foldC, foldK, 1e-5f);
            });
        var (rows, cols) = small ? (7, 37) : (64 * 65, 193);
        long cells = (long)rows * cols;
        Check("layer-norm + backward", $"[{rows}, {cols}]", Exact, [cells, cols, cols, cells, cells, rows, rows, cells, cols, cols], 4, (b, x) =>
        {
            b.LayerNorm(x[0], x[1], x[2], x[4], x[5], x[6], rows, cols, 1e-5f);
            b.LayerNormBackward(x[0], x[3], x[1], x[5], x[6], x[7], x[8], x[9], rows, cols);
        });
    }

    /// <summary>conv2d forward (with bias, and with the residual + ReLU epilogue), backward-data and backward-weights (with bias) on odd shapes.</summary>
    private void CheckConv()
    {
        Conv2dShape[] shapes = small
            ? [new(2, 3, 9, 11, 5, 3, 3, 2, 2, 1, 1), new(2, 7, 13, 11, 11, 3, 3, 1, 1, 1, 1), new(2, 3, 11, 9, 5, 7, 7, 2, 2, 3, 3)]
            : [new(8, 65, 29, 27, 63, 3, 3, 1, 1, 1, 1), new(8, 33, 31, 29, 65, 3, 3, 2, 2, 1, 1), new(4, 3, 65, 63, 17, 7, 7, 2, 2, 3, 3),
               new(8, 63, 17, 15, 129, 1, 1, 1, 1, 0, 0)];
        foreach (var s in shapes)
        {
            string shape = s.ToString();
            Check("conv2d forward", shape, Exact, [s.XLength, s.WeightLength, s.Cout, s.YLength], 3,
                (b, x) => b.Conv2dForward(s, x[0], x[1], x[2], x[3]));
            Check("conv2d forward + residual + relu", shape, Exact, [s.XLength, s.WeightLength, s.Cout, s.YLength, s.YLength], 4,
                (b, x) => b.Conv2dForward(s, x[0], x[1], x[2], x[4], new ConvEpilogue(x[3], Relu: true)));
            Check("conv2d backward data", shape, Exact, [s.YLength, s.WeightLength, s.XLength], 2,
                (b, x) => b.Conv2dBackwardData(s, x[0], x[1], x[2]));
            Check("conv2d backward weights", shape, Exact, [s.XLength, s.YLength, s.WeightLength, s.Cout], 2,
                (b, x) => b.Conv2dBackwardWeights(s, x[0], x[1], x[2], x[3]));
        }
    }

    /// <summary>Gather conv (kept channels through unsorted index lists) on odd shapes, one past a 64-row tile.</summary>
    private void CheckGatherConv()
    {
        (Conv2dShape Shape, int KeptIn, int KeptOut)[] cases = small
            ? [(new(2, 7, 9, 11, 13, 3, 3, 1, 1, 1, 1), 4, 5), (new(2, 5, 9, 7, 71, 3, 3, 2, 2, 1, 1), 3, 67)]
            : [(new(8, 65, 29, 27, 63, 3, 3, 1, 1, 1, 1), 33, 17), (new(8, 67, 17, 15, 129, 3, 3, 2, 2, 1, 1), 51, 97),
               (new(8, 63, 17, 15, 65, 1, 1, 1, 1, 0, 0), 31, 65)];
        foreach (var (s, keptIn, keptOut) in cases)
        {
            int[] inIdx = Enumerable.Range(0, keptIn).Select(j => (j * 37 + 5) % s.Cin).ToArray();
            int[] outIdx = Enumerable.Range(0, keptOut).Select(j => (j * 41 + 3) % s.Cout).ToArray();
            long y = (long)s.N * keptOut * s.OutH * s.OutW;
            Check("gather conv2d forward", $"{s} keep {keptIn}→{keptOut}", Exact, [s.XLength, s.WeightLength, s.Cout, y], 3, (b, x) =>
            {
                using var inSel = ChannelSelection.FromIndices(b, inIdx, s.Cin);
                using var outSel = ChannelSelection.FromIndices(b, outIdx, s.Cout);
                b.GatherConv2dForward(s, x[0], x[1], x[2], inSel, outSel, x[3]);
            });
        }
    }

    /// <summary>
    /// Sparse-weight conv (stride 1 and 2, 3×3 and 1×1) and linear at densities 0.5 down to 0.02: the
    /// random weight is pruned on the host by a fixed pattern, so both devices get the same nonzeros.
    /// </summary>
    private void CheckSparse()
    {
        (Conv2dShape Shape, double Density)[] convs = small
            ? [(new(2, 5, 9, 7, 6, 3, 3, 1, 1, 1, 1), 0.5), (new(2, 3, 8, 9, 5, 3, 3, 2, 2, 1, 1), 0.2), (new(2, 7, 5, 5, 4, 1, 1, 1, 1, 0, 0), 0.3)]
            : [(new(8, 64, 31, 33, 64, 3, 3, 1, 1, 1, 1), 0.1), (new(8, 127, 17, 15, 255, 3, 3, 2, 2, 1, 1), 0.05), (new(8, 255, 9, 7, 129, 1, 1, 1, 1, 0, 0), 0.2)];
        foreach (var (s, density) in convs)
            Check("sparse conv2d forward", $"{s} density {density}", Exact, [s.XLength, s.WeightLength, s.Cout, s.YLength], 3, (b, x) =>
            {
                using var w = SparseWeight.FromConv(b, Pruned(b.ToArray(x[1]), density), s.Cout, s.Cin, s.KH, s.KW);
                b.SparseConv2dForward(s, x[0], w, x[2], x[3]);
            });
        (int Batch, int In, int Out, double Density)[] linears = small ? [(3, 37, 11, 0.3), (70, 19, 5, 0.5)] : [(1, 1025, 513, 0.05), (257, 1025, 1001, 0.02)];
        foreach (var (batch, inF, outF, density) in linears)
            Check("sparse linear forward", $"[{batch}, {inF}] x [{outF}, {inF}] density {density}", Exact,
                [(long)batch * inF, (long)outF * inF, outF, (long)batch * outF], 3, (b, x) =>
            {
                using var w = SparseWeight.FromLinear(b, Pruned(b.ToArray(x[1]), density), outF, inF);
                b.SparseLinearForward(x[0], w, x[2], x[3], batch);
            });
    }

    /// <summary>The weight with all but about <paramref name="density"/> of its entries zeroed, by a hash of the position.</summary>
    private static float[] Pruned(float[] w, double density)
    {
        for (int i = 0; i < w.Length; i++)
            if (((uint)(i * 2654435761u) >> 12) % 1000 >= density * 1000) w[i] = 0f;
        return w;
    }

    /// <summary>
    /// Fills buffers with identical random data on both devices, runs the kernel sequence on each,
    /// then compares the buffers from <paramref name="firstOutput"/> on.
    /// </summary>
    private void Check(string kernel, string shape, double tolerance, long[] sizes, int firstOutput, Action<Backend, DeviceBuffer<float>[]> run)
    {
        ulong s = stream++;
        var expected = Execute(reference, sizes, s, run, out _);
        var actual = Execute(target, sizes, s, run, out double ms);
        double diff = 0, norm = 0;
        for (int k = firstOutput; k < sizes.Length; k++)
            for (int i = 0; i < expected[k].Length; i++)
            {
                double d = (double)actual[k][i] - expected[k][i];
                diff += d * d;
                norm += (double)expected[k][i] * expected[k][i];
            }
        double error = norm == 0 ? Math.Sqrt(diff) : Math.Sqrt(diff / norm);
        if (double.IsNaN(error)) error = double.PositiveInfinity;
        results.Add(new SelfTestResult(kernel, shape, error, tolerance, ms));
    }

    private static float[][] Execute(Backend b, long[] sizes, ulong s, Action<Backend, DeviceBuffer<float>[]> run, out double ms)
    {
        var buffers = sizes.Select(n => b.Allocate<float>(checked((int)n))).ToArray();
        try
        {
            for (int k = 0; k < buffers.Length; k++) b.FillRandom(buffers[k], RandomDistribution.Uniform, -1f, 1f, 2026, s * 16 + (ulong)k);
            b.Synchronize();
            var clock = Stopwatch.StartNew();
            run(b, buffers);
            b.Synchronize();
            ms = clock.Elapsed.TotalMilliseconds;
            return buffers.Select(b.ToArray).ToArray();
        }
        finally
        {
            foreach (var buf in buffers) buf.Dispose();
        }
    }
}
