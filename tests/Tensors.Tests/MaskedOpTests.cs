using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;
using SparseCore.Tensors.Tests.Reference;

namespace SparseCore.Tensors.Tests;

/// <summary>One masked-channel op under test; Run may create selections, which the test disposes after the backward.</summary>
public sealed record MaskedCase(RefOp Ref, RefTensor[] Inputs, Func<Tensor[], ICollection<IDisposable>, Tensor> Run);

/// <summary>
/// Channel gather/scatter, the weight mask and the activation channel mask: forward and backward
/// through autograd against double references (themselves checked by finite differences), on odd
/// shapes with unsorted kept channels; the round trips; and every bad input rejected, naming the
/// op, before any kernel runs.
/// </summary>
public class MaskedOpTests
{
    private const double Tolerance = OpCases.GemmTolerance;

    public static IEnumerable<string> CaseNames() =>
    [
        "gather:act", "gather:weight-out", "gather:weight-in", "scatter:act", "scatter:weight-in",
        "maskweight:conv", "maskweight:stem", "maskweight:linear", "maskweight:linear-no-in", "maskchannels",
    ];

    public static IEnumerable<object[]> BackendCases() =>
        from b in TestBackends.Names from n in CaseNames() select new object[] { b, n };

    public static IEnumerable<object[]> Cases() => CaseNames().Select(n => new object[] { n });

    /// <summary><paramref name="count"/> distinct channels of <paramref name="width"/> in a seeded random (unsorted) order.</summary>
    private static int[] Kept(int width, int count, int seed)
    {
        var perm = Enumerable.Range(0, width).ToArray();
        new System.Random(seed).Shuffle(perm);
        return perm[..count];
    }

    public static MaskedCase Create(string name, bool small)
    {
        var rng = new System.Random(3);
        // Activations [N, C, H, W] with C = 13 → 5 kept (67 → 29 at layer size); weights [Cout, Cin, 3, 3].
        var (n, c, h, w) = small ? (2, 13, 7, 9) : (16, 67, 15, 17);
        var (co, ci) = small ? (13, 7) : (67, 33);
        switch (name)
        {
            case "gather:act":
            case "scatter:act":
            {
                int[] kept = small ? [11, 2, 7, 0, 12] : Kept(c, 29, 5);
                return name.StartsWith("gather")
                    ? new MaskedCase(MaskedRefOps.Gather(n, c, h * w, kept, [n, kept.Length, h, w]), [RefTensor.Random(rng, n, c, h, w)],
                        (t, owned) => F.GatherChannels(t[0], Select(t[0].Backend, kept, c, owned)))
                    : new MaskedCase(MaskedRefOps.Scatter(n, c, h * w, kept, [n, c, h, w]), [RefTensor.Random(rng, n, kept.Length, h, w)],
                        (t, owned) => F.ScatterChannels(t[0], Select(t[0].Backend, kept, c, owned), c));
            }
            case "gather:weight-out":
            {
                // Output-channel rows: [Cout, Cin·K·K] gathered along axis 0 (outer = 1).
                int[] kept = Kept(co, small ? 5 : 29, 7);
                return new MaskedCase(MaskedRefOps.Gather(1, co, ci * 9, kept, [kept.Length, ci, 3, 3]), [RefTensor.Random(rng, co, ci, 3, 3)],
                    (t, owned) => F.GatherChannels(t[0], Select(t[0].Backend, kept, co, owned), axis: 0));
            }
            case "gather:weight-in":
            case "scatter:weight-in":
            {
                // Input-channel slices: [Cout, Cin, K·K] along axis 1.
                int[] kept = Kept(ci, small ? 3 : 13, 11);
                return name.StartsWith("gather")
                    ? new MaskedCase(MaskedRefOps.Gather(co, ci, 9, kept, [co, kept.Length, 3, 3]), [RefTensor.Random(rng, co, ci, 3, 3)],
                        (t, owned) => F.GatherChannels(t[0], Select(t[0].Backend, kept, ci, owned)))
                    : new MaskedCase(MaskedRefOps.Scatter(co, ci, 9, kept, [co, ci, 3, 3]), [RefTensor.Random(rng, co, kept.Length, 3, 3)],
                        (t, owned) => F.ScatterChannels(t[0], Select(t[0].Backend, kept, ci, owned), ci));
            }
            case "maskweight:conv":
                return new MaskedCase(MaskedRefOps.MaskWeight(co, ci, 9),
                    [RefTensor.Random(rng, co, ci, 3, 3), RefTensor.Random(rng, co), RefTensor.Random(rng, ci)],
                    (t, _) => F.MaskWeight(t[0], t[1], t[2]));
            case "maskweight:stem":
            {
                int stemOut = small ? 13 : 65;
                return new MaskedCase(MaskedRefOps.MaskWeight(stemOut, 3, 49), [RefTensor.Random(rng, stemOut, 3, 7, 7), RefTensor.Random(rng, stemOut)],
                    (t, _) => F.MaskWeight(t[0], t[1], null));
            }
            case "maskweight:linear":
            case "maskweight:linear-no-in":
            {
                // In > 32 spans more than one column tile of the ILGPU input-mask gradient.
                var (o, i) = small ? (5, 37) : (257, 515);
                bool hasIn = name == "maskweight:linear";
                RefTensor[] inputs = hasIn
                    ? [RefTensor.Random(rng, o, i), RefTensor.Random(rng, o), RefTensor.Random(rng, i)]
                    : [RefTensor.Random(rng, o, i), RefTensor.Random(rng, o)];
                return new MaskedCase(MaskedRefOps.MaskWeight(o, i, 1), inputs, (t, _) => F.MaskWeight(t[0], t[1], hasIn ? t[2] : null));
            }
            case "maskchannels":
                return new MaskedCase(RefOps.Binary("Mul", n, c, h * w), [RefTensor.Random(rng, n, c, h, w), RefTensor.Random(rng, c)],
                    (t, _) => F.MaskChannels(t[0], t[1]));
            default:
                throw new ArgumentException(name);
        }
    }

    private static ChannelSelection Select(Backend backend, int[] kept, int width, ICollection<IDisposable> owned)
    {
        var s = ChannelSelection.FromIndices(backend, kept, width);
        owned.Add(s);
        return s;
    }

    [Theory]
    [MemberData(nameof(BackendCases))]
    public void Forward_and_backward_match_the_double_reference(string backendName, string caseName)
    {
        var backend = TestBackends.Get(backendName);
        var c = Create(caseName, TestBackends.IsSlow(backendName));
        var expected = c.Ref.Forward(c.Inputs);
        var seed = RefTensor.Random(new System.Random(99), expected.Shape);
        var expectedGrads = c.Ref.Backward(c.Inputs, seed);

        var owned = new List<IDisposable>();
        using var scope = new TensorScope();
        var inputs = c.Inputs.Select(x =>
        {
            var t = Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape));
            t.RequiresGrad = true;
            return t;
        }).ToArray();
        var y = c.Run(inputs, owned);

        Assert.Equal(new Shape(expected.Shape), y.Shape);
        double forwardError = Norms.RelativeError(y.ToArray(), expected.Data);
        Assert.True(forwardError <= Tolerance, $"{caseName} forward on {backendName}: error {forwardError:E2}");

        y.Backward(Tensor.FromArray(backend, seed.ToFloat(), y.Shape));
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.NotNull(inputs[i].Grad);
            double gradError = Norms.RelativeError(inputs[i].Grad!.ToArray(), expectedGrads[i].Data);
            Assert.True(gradError <= Tolerance, $"{caseName} gradient of input {i} on {backendName}: error {gradError:E2}");
        }
        Assert.Equal(0, Autograd.TapeLength);
        foreach (var d in owned) d.Dispose();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_backward_matches_finite_differences(string caseName)
    {
        var c = Create(caseName, small: true);
        OpCheck.ReferenceMatchesFiniteDifferences(caseName, c.Ref, c.Inputs);
    }

    [Theory]
    [InlineData("gather:act")]
    [InlineData("scatter:weight-in")]
    [InlineData("maskweight:conv")]
    public void A_backward_off_by_one_percent_fails_the_check(string caseName)
    {
        var c = Create(caseName, small: true);
        OpCheck.ScaledBackwardFails(caseName, c.Ref, c.Inputs);
    }

    public static IEnumerable<object[]> Backends() => TestBackends.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Backends))]
    public void Scatter_of_gather_keeps_the_kept_channels_and_zeros_the_rest_and_gather_of_scatter_is_the_identity(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (n, c, hw) = (3, 13, 63);
        int[] kept = [11, 2, 7, 0, 12];
        var x = RefTensor.Random(new System.Random(5), n, c, 7, 9);
        var z = RefTensor.Random(new System.Random(6), n, kept.Length, 7, 9);
        using var scope = new TensorScope();
        using var sel = ChannelSelection.FromIndices(backend, kept, c);
        var back = F.ScatterChannels(F.GatherChannels(Tensor.FromArray(backend, x.ToFloat(), new Shape(x.Shape)), sel), sel, c).ToArray();
        for (int o = 0; o < n; o++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++)
                {
                    int j = (o * c + ch) * hw + i;
                    Assert.Equal(sel.PositionOf(ch) >= 0 ? (float)x.Data[j] : 0f, back[j]);
                }
        var same = F.GatherChannels(F.ScatterChannels(Tensor.FromArray(backend, z.ToFloat(), new Shape(z.Shape)), sel, c), sel).ToArray();
        Assert.Equal(z.ToFloat(), same);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Scatter_without_zeroing_leaves_the_dropped_channels_as_they_were(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (outer, width, inner) = (2, 13, 5);
        int[] kept = [4, 9, 1];
        var y = Enumerable.Range(0, outer * kept.Length * inner).Select(v => v + 1f).ToArray();
        using var sel = ChannelSelection.FromIndices(backend, kept, width);
        using var yb = backend.Allocate<float>(y.Length);
        using var xb = backend.Allocate<float>(outer * width * inner);
        backend.Upload<float>(y, yb);
        backend.Fill(xb, -7f);
        backend.ScatterChannels(yb, sel, xb, outer, inner, zeroOthers: false);
        var x = backend.ToArray(xb);
        for (int o = 0; o < outer; o++)
            for (int ch = 0; ch < width; ch++)
                for (int i = 0; i < inner; i++)
                {
                    int p = sel.PositionOf(ch);
                    Assert.Equal(p >= 0 ? y[(o * kept.Length + p) * inner + i] : -7f, x[(o * width + ch) * inner + i]);
                }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void The_activation_mask_zeros_masked_channels_and_its_gradient_is_the_per_channel_sum_of_dy_times_y(string backendName)
    {
        // PASS masks the activation after batch-norm: out = y·m per channel, dm[c] = Σ_{n,h,w} dy·y.
        var backend = TestBackends.Get(backendName);
        var (n, c, hw) = (3, 13, 63);
        var rng = new System.Random(8);
        var y = RefTensor.Random(rng, n, c, 7, 9);
        var dy = RefTensor.Random(rng, n, c, 7, 9);
        var mask = Enumerable.Range(0, c).Select(ch => ch % 3 == 1 ? 0f : 1f).ToArray();
        using var scope = new TensorScope();
        var yt = Tensor.FromArray(backend, y.ToFloat(), new Shape(y.Shape));
        var mt = Tensor.FromArray(backend, mask, new Shape(c));
        yt.RequiresGrad = true;
        mt.RequiresGrad = true;
        var outT = F.MaskChannels(yt, mt);
        outT.Backward(Tensor.FromArray(backend, dy.ToFloat(), outT.Shape));
        var output = outT.ToArray();
        var dMask = mt.Grad!.ToArray();
        var dY = yt.Grad!.ToArray();
        var expected = new double[c];
        for (int o = 0; o < n; o++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < hw; i++)
                {
                    int j = (o * c + ch) * hw + i;
                    Assert.Equal(mask[ch] == 0f ? 0f : (float)y.Data[j], output[j]);
                    Assert.Equal(mask[ch] == 0f ? 0f : (float)dy.Data[j], dY[j]);
                    expected[ch] += dy.Data[j] * y.Data[j];
                }
        // Masked channels keep an informative gradient: their mask can come back on merit.
        Assert.True(Norms.RelativeError(dMask, expected) <= Tolerance);
        Assert.All(Enumerable.Range(0, c).Where(ch => mask[ch] == 0f), ch => Assert.NotEqual(0f, dMask[ch]));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Mask_gradients_are_bit_identical_run_after_run(string backendName)
    {
        var backend = TestBackends.Get(backendName);
        var (co, ci, area) = TestBackends.IsSlow(backendName) ? (13, 37, 9) : (129, 67, 9);
        var rng = new System.Random(12);
        using var scope = new TensorScope();
        var w = Tensor.FromArray(backend, RefTensor.Random(rng, co, ci, area).ToFloat(), new Shape(co, ci, 3, 3));
        var dy = Tensor.FromArray(backend, RefTensor.Random(rng, co, ci, area).ToFloat(), w.Shape);
        var mo = Tensor.FromArray(backend, RefTensor.Random(rng, co).ToFloat(), new Shape(co));
        var mi = Tensor.FromArray(backend, RefTensor.Random(rng, ci).ToFloat(), new Shape(ci));
        float[][] Run()
        {
            var (dmo, dmi) = (Tensor.Empty(backend, mo.Shape), Tensor.Empty(backend, mi.Shape));
            backend.MaskWeightBackward(w.Buffer, mo.Buffer, mi.Buffer, dy.Buffer, null, dmo.Buffer, dmi.Buffer, co, ci, area);
            return [dmo.ToArray(), dmi.ToArray()];
        }
        var first = Run();
        var second = Run();
        Assert.Equal(first[0], second[0]);
        Assert.Equal(first[1], second[1]);
    }

    [Fact]
    public void A_selection_from_a_mask_keeps_the_ones_in_ascending_order()
    {
        var backend = TestBackends.Get("cpu");
        using var sel = ChannelSelection.FromMask(backend, [0, 1, 1, 0, 0, 1, 0]);
        Assert.Equal(7, sel.Width);
        Assert.Equal(3, sel.Count);
        Assert.Equal([1, 2, 5], sel.Indices.ToArray());
        Assert.Equal([1, 2, 5], backend.ToArray(sel.IndexBuffer));
        Assert.Equal([-1, 0, 1, -1, -1, 2, -1], backend.ToArray(sel.PositionBuffer));
    }

    [Fact]
    public void An_empty_selection_gathers_nothing_and_scatters_zeros()
    {
        var backend = TestBackends.Get("cpu");
        using var scope = new TensorScope();
        using var sel = ChannelSelection.FromMask(backend, new float[5]);
        var x = Tensor.Full(backend, new Shape(2, 5, 3), 1f);
        Assert.Equal(new Shape(2, 0, 3), F.GatherChannels(x, sel).Shape);
        var back = F.ScatterChannels(Tensor.Empty(backend, new Shape(2, 0, 3)), sel, 5);
        Assert.All(back.ToArray(), v => Assert.Equal(0f, v));
    }

    // ---- bad input: a clear error naming the op, before any kernel runs ------------------------

    [Theory]
    [InlineData(new[] { 3, 13, 1 }, "position 1 is 13, outside [0, 13)")]
    [InlineData(new[] { 3, -1 }, "position 1 is -1, outside [0, 13)")]
    [InlineData(new[] { 4, 9, 2, 9 }, "position 3 is 9, already listed at position 1")]
    public void An_out_of_range_or_repeated_channel_index_is_rejected(int[] indices, string detail)
    {
        using var backend = new NoMaskedKernelsBackend();
        var e = Assert.Throws<ArgumentException>(() => ChannelSelection.FromIndices(backend, indices, 13, "GatherConv"));
        Assert.StartsWith("GatherConv:", e.Message);
        Assert.Contains(detail, e.Message);
        Assert.Equal(0, backend.Pool.LiveBuffers);
    }

    [Fact]
    public void A_mask_that_is_not_zero_one_is_rejected()
    {
        using var backend = new NoMaskedKernelsBackend();
        var e = Assert.Throws<ArgumentException>(() => ChannelSelection.FromMask(backend, [1, 0, 0.5f]));
        Assert.Contains("ChannelSelection: mask entry at position 2 is 0.5", e.Message);
    }

    [Fact]
    public void Channel_masks_of_the_wrong_length_name_both_lengths()
    {
        using var backend = new NoMaskedKernelsBackend();
        using var scope = new TensorScope();
        var w = Tensor.Zeros(backend, new Shape(13, 7, 3, 3));
        var e1 = Assert.Throws<TensorShapeException>(() => F.MaskWeight(w, Tensor.Zeros(backend, new Shape(12)), null));
        Assert.Contains("MaskWeight", e1.Message);
        Assert.Contains("output-channel mask must be [13]", e1.Message);
        Assert.Contains("it has 12", e1.Message);
        var e2 = Assert.Throws<TensorShapeException>(() => F.MaskWeight(w, Tensor.Zeros(backend, new Shape(13)), Tensor.Zeros(backend, new Shape(8))));
        Assert.Contains("input-channel mask must be [7]", e2.Message);
        Assert.Contains("it has 8", e2.Message);
        var x = Tensor.Zeros(backend, new Shape(2, 13, 5, 5));
        var e3 = Assert.Throws<TensorShapeException>(() => F.MaskChannels(x, Tensor.Zeros(backend, new Shape(14))));
        Assert.Contains("MaskChannels", e3.Message);
        Assert.Contains("must be [13]", e3.Message);
        Assert.Contains("it has 14", e3.Message);
        Assert.Throws<TensorShapeException>(() => F.MaskWeight(Tensor.Zeros(backend, new Shape(13, 7, 3)), Tensor.Zeros(backend, new Shape(13)), null));
    }

    [Fact]
    public void A_selection_of_another_width_or_backend_is_rejected()
    {
        using var backend = new NoMaskedKernelsBackend();
        using var other = new NoMaskedKernelsBackend();
        using var scope = new TensorScope();
        using var sel = ChannelSelection.FromIndices(backend, [1, 3], 7);
        var x = Tensor.Zeros(backend, new Shape(2, 13, 3, 3));
        Assert.Contains("13 channels on axis 1, the selection is out of 7",
            Assert.Throws<TensorShapeException>(() => F.GatherChannels(x, sel)).Message);
        Assert.Contains("full width 13 differs from the selection's width 7",
            Assert.Throws<TensorShapeException>(() => F.ScatterChannels(Tensor.Zeros(backend, new Shape(2, 2, 3)), sel, 13)).Message);
        Assert.Contains("the selection keeps 2",
            Assert.Throws<TensorShapeException>(() => F.ScatterChannels(Tensor.Zeros(backend, new Shape(2, 3, 3)), sel, 7)).Message);
        Assert.StartsWith("GatherChannels:",
            Assert.Throws<ArgumentException>(() => F.GatherChannels(Tensor.Zeros(other, new Shape(2, 7)), sel)).Message);
        using (var small = backend.Allocate<float>(10))
            Assert.Contains("GatherChannels: x has 10 elements, needs 28",
                Assert.Throws<ArgumentException>(() => backend.GatherChannels(small, sel, small, 2, 2)).Message);
        sel.Dispose();
        Assert.Throws<ObjectDisposedException>(() => F.GatherChannels(Tensor.Zeros(backend, new Shape(2, 7)), sel));
    }

    [Fact]
    public void The_weight_mask_contract_checks_its_buffers()
    {
        using var backend = new NoMaskedKernelsBackend();
        using var w = backend.Allocate<float>(13 * 7 * 9);
        using var mo = backend.Allocate<float>(13);
        using var mi = backend.Allocate<float>(6);
        Assert.Contains("MaskWeight: inMask has 6 elements, needs 7",
            Assert.Throws<ArgumentException>(() => backend.MaskWeight(w, mo, mi, w, 13, 7, 9)).Message);
        Assert.Contains("MaskWeightBackward: dInMask was requested without an inMask",
            Assert.Throws<ArgumentException>(() => backend.MaskWeightBackward(w, mo, null, w, null, null, mo, 13, 7, 9)).Message);
    }

    /// <summary>A CPU backend whose masked-family kernels must never be reached by the inputs above.</summary>
    private sealed class NoMaskedKernelsBackend : CpuBackend
    {
        private static InvalidOperationException Ran(string kernel) => new($"{kernel} ran despite invalid input");

        protected override void RunGatherChannels(DeviceBuffer<float> x, ChannelSelection selection, DeviceBuffer<float> y, int outer, int inner)
            => throw Ran("GatherChannels");

        protected override void RunScatterChannels(DeviceBuffer<float> y, ChannelSelection selection, DeviceBuffer<float> x, int outer, int inner, bool zeroOthers)
            => throw Ran("ScatterChannels");

        protected override void RunMaskWeight(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> y,
                                              int outChannels, int inChannels, int kernelArea)
            => throw Ran("MaskWeight");

        protected override void RunMaskWeightBackward(DeviceBuffer<float> w, DeviceBuffer<float> outMask, DeviceBuffer<float>? inMask, DeviceBuffer<float> dy,
                                                      DeviceBuffer<float>? dw, DeviceBuffer<float>? dOutMask, DeviceBuffer<float>? dInMask,
                                                      int outChannels, int inChannels, int kernelArea)
            => throw Ran("MaskWeightBackward");
    }
}
