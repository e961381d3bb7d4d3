using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Tests.Ilgpu;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Gemm;

/// <summary>
/// The ILGPU GEMM kernels (GemmSmall and the tiled kernel) on ILGPU's CPU simulator (bounds-checked
/// views) at small odd shapes, against double-precision references written out here.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuGemmTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    public static TheoryData<bool, bool, int, int, int, bool> GemmCases()
    {
        var data = new TheoryData<bool, bool, int, int, int, bool>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                data.Add(ta, tb, 17, 23, 9, false);
                data.Add(ta, tb, 17, 23, 9, true);
                data.Add(ta, tb, 70, 33, 65, true);
            }
        data.Add(false, false, 130, 129, 17, true); // 2×2 block tiles, partial in both
        data.Add(true, true, 130, 129, 17, true);
        return data;
    }

    [Theory]
    [MemberData(nameof(GemmCases))]
    public void Gemm_batched_with_strides_matches_double_reference(bool transA, bool transB, int m, int n, int k, bool tiled)
    {
        int batch = m > 128 ? 1 : 2; // the 2×2-tile case runs once to keep the simulator quick
        long strideA = m * k + 3, strideB = batch > 1 && transB ? 0 : k * n, strideC = m * n + 1; // padded A/C, shared B when NT/TT
        var spec = new GemmSpec(transA, transB, m, n, k, Alpha: 1.5f, Beta: 0.5f, Batch: batch, StrideA: strideA, StrideB: strideB, StrideC: strideC);
        var a = Rand((int)spec.RequiredA, 17); var b = Rand((int)spec.RequiredB, 18); var c0 = Rand((int)spec.RequiredC, 19);
        double[] want = c0.Select(v => (double)v).ToArray();
        for (int bi = 0; bi < batch; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += (double)a[bi * strideA + (transA ? p * m + i : i * k + p)] * b[bi * strideB + (transB ? j * k + p : p * n + j)];
                    long ci = bi * strideC + i * n + j;
                    want[ci] = 1.5 * acc + 0.5 * c0[ci];
                }
        var got = RunGemm(spec, a, b, c0, tiled);
        Close(got, want, GemmTolerance, $"gemm {spec} tiled={tiled}");
    }

    [Fact]
    public void Gemm_with_beta_zero_does_not_read_c()
    {
        var spec = new GemmSpec(false, true, 70, 33, 65);
        var a = Rand(70 * 65, 20); var b = Rand(33 * 65, 21);
        var c = Enumerable.Repeat(float.NaN, 70 * 33).ToArray();
        var want = new double[70 * 33];
        for (int i = 0; i < 70; i++)
            for (int j = 0; j < 33; j++)
                for (int p = 0; p < 65; p++) want[i * 33 + j] += (double)a[i * 65 + p] * b[j * 65 + p];
        Close(RunGemm(spec, a, b, c, tiled: true), want, GemmTolerance, "tiled beta 0");
        Close(RunGemm(spec, a, b, c, tiled: false), want, GemmTolerance, "small beta 0");
    }

    /// <summary>
    /// Split-K forced on small odd shapes (uneven last chunk, a chunk shorter than one k tile's
    /// worth past K, alpha and beta applied once in the second pass) against the double
    /// reference, bit-identical when run twice; a split count that lost a chunk would be far off.
    /// </summary>
    [Theory]
    [InlineData(false, false, 70, 33, 65, 3)]
    [InlineData(true, false, 17, 130, 129, 4)]
    [InlineData(false, true, 33, 17, 200, 7)]
    [InlineData(true, true, 9, 9, 41, 2)]
    public void Split_k_matches_double_reference_and_repeats_bit_for_bit(bool transA, bool transB, int m, int n, int k, int splits)
    {
        var spec = new GemmSpec(transA, transB, m, n, k, Alpha: 1.5f, Beta: 0.5f);
        var a = Rand(m * k, 31); var b = Rand(k * n, 32); var c0 = Rand(m * n, 33);
        var want = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double acc = 0;
                for (int p = 0; p < k; p++) acc += (double)a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
                want[i * n + j] = 1.5 * acc + 0.5 * c0[i * n + j];
            }
        backend.GemmSplitsOverride = splits;
        try
        {
            Assert.Equal(splits, backend.GemmSplits(k, 1).Splits);
            var first = RunGemm(spec, a, b, c0, tiled: true);
            Close(first, want, GemmTolerance, $"split-K {splits} of {spec}");
            Assert.Equal(first, RunGemm(spec, a, b, c0, tiled: true));
        }
        finally
        {
            backend.GemmSplitsOverride = null;
        }
    }

    /// <summary>
    /// The 16-byte global-load path (each operand's contiguous extent a multiple of 4): all four
    /// transposes, a partial second row tile, batch 1 and batch 2 with 16-byte-aligned strides, and
    /// M not a multiple of 4 so transposed A falls back to scalar loads beside a vector B.
    /// </summary>
    [Theory]
    [InlineData(false, false, 132, 36, 20, 1)]
    [InlineData(false, true, 132, 36, 20, 2)]
    [InlineData(true, false, 68, 36, 20, 2)]
    [InlineData(true, true, 132, 36, 20, 1)]
    [InlineData(true, false, 66, 36, 20, 1)]
    public void Vector_global_loads_match_double_reference(bool transA, bool transB, int m, int n, int k, int batch)
    {
        long strideA = m * k + 4, strideB = k * n + 8, strideC = m * n + 1;
        var spec = new GemmSpec(transA, transB, m, n, k, Alpha: 1.5f, Beta: 0.5f, Batch: batch, StrideA: strideA, StrideB: strideB, StrideC: strideC);
        var a = Rand((int)spec.RequiredA, 27); var b = Rand((int)spec.RequiredB, 28); var c0 = Rand((int)spec.RequiredC, 29);
        double[] want = c0.Select(v => (double)v).ToArray();
        for (int bi = 0; bi < batch; bi++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++)
                {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += (double)a[bi * strideA + (transA ? p * m + i : i * k + p)] * b[bi * strideB + (transB ? j * k + p : p * n + j)];
                    long ci = bi * strideC + i * n + j;
                    want[ci] = 1.5 * acc + 0.5 * c0[ci];
                }
        Close(RunGemm(spec, a, b, c0, tiled: true), want, GemmTolerance, $"vector loads {spec}");
    }

    [Fact]
    public void The_split_is_chosen_from_the_shape_to_fill_the_grid()
    {
        // ViT-Tiny's MLP weight gradient: 192×768 is 12 blocks; K = 8320 splits into 22 chunks of 384.
        Assert.Equal((22, 384), backend.GemmSplits(8320, 12));
        Assert.True(22 * 12 >= SparseCore.Kernels.Ilgpu.IlgpuBackend.GemmSplitKTargetBlocks);
        Assert.Equal((1, 4096), backend.GemmSplits(4096, 32 * 32)); // 4096²: the grid is full already
        Assert.Equal((1, 256), backend.GemmSplits(256, 8));         // K too short to be worth a second pass
        Assert.Equal((4, 256), backend.GemmSplits(1024, 64));       // 1024²: 64 blocks → 256
    }

    private float[] RunGemm(GemmSpec spec, float[] a, float[] b, float[] c, bool tiled) => RunGemm(backend, spec, a, b, c, tiled);

    /// <summary>One GEMM on the tiled kernel (tiled) or on GemmSmall, whatever the size.</summary>
    internal static float[] RunGemm(SparseCore.Kernels.Ilgpu.IlgpuBackend backend, GemmSpec spec, float[] a, float[] b, float[] c, bool tiled)
    {
        long saved = backend.GemmSmallMaxWork;
        backend.GemmSmallMaxWork = tiled ? 0 : long.MaxValue;
        try
        {
            using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var cb = Upload(backend, c);
            backend.Gemm(spec, ab, bb, cb);
            return backend.ToArray(cb);
        }
        finally
        {
            backend.GemmSmallMaxWork = saved;
        }
    }
}
