using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Gemm;
using SparseCore.Kernels.Tests.Gemm;
using static SparseCore.Kernels.Tests.Ilgpu.Host;

namespace SparseCore.Kernels.Tests.Ilgpu;

/// <summary>
/// The ILGPU backend on ILGPU's CPU simulator: creation, copies, CUDA discovery and run-to-run
/// determinism. Each family's ILGPU kernels are tested in that family's folder (Gemm/IlgpuGemmTests.cs, …),
/// all on the one simulator of <see cref="IlgpuSimulatorCollection"/>: every launch and barrier costs
/// milliseconds there, so shapes stay small.
/// </summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuBackendTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    [Fact]
    public void Simulator_backend_describes_itself_and_copies_with_offsets()
    {
        Assert.Equal("ilgpu-cpu", backend.Name);
        Assert.Contains("256", backend.DeviceDescription);
        var data = Rand(37, 1);
        using var a = Upload(backend, data);
        using var b = backend.Allocate<float>(40);
        backend.Fill(b, 7f);
        backend.Copy(a, 3, b, 5, 30);
        var got = backend.ToArray(b);
        for (int i = 0; i < 40; i++) Assert.Equal(i is >= 5 and < 35 ? data[i - 2] : 7f, got[i]);
        var part = new float[4];
        backend.Download(a, part, 10);
        Assert.Equal(data[10..14], part);
        using var ints = Upload(backend, new[] { 1, 2, 3 });
        Assert.Equal(new[] { 1, 2, 3 }, backend.ToArray(ints));
    }

    [Fact]
    public void Described_cuda_devices_agree_with_what_create_cuda_does()
    {
        // Without a GPU: no lines, and CreateCuda says why it cannot. With one: a line per device
        // naming its SMs and memory, and CreateCuda gives a working cuda backend.
        var devices = SparseCore.Kernels.Ilgpu.IlgpuBackend.DescribeCudaDevices();
        if (devices.Count == 0)
        {
            var e = Assert.Throws<InvalidOperationException>(() => SparseCore.Kernels.Ilgpu.IlgpuBackend.CreateCuda());
            Assert.Contains("no CUDA device", e.Message);
            return;
        }
        Assert.All(devices, d => Assert.Matches(@"^.+: \d+ SMs, \d+\.\d GiB, .+$", d));
        using var cuda = SparseCore.Kernels.Ilgpu.IlgpuBackend.CreateCuda();
        Assert.Equal("cuda", cuda.Name);
    }

    [Fact]
    public void BinaryBackward_ReduceSum_and_Gemm_are_bit_identical_run_to_run()
    {
        var shape = new Broadcast(3, 5, 11);
        var a = Rand(shape.Total, 40); var b = Rand(5, 41, 0.5f, 1.5f); var dy = Rand(shape.Total, 42);
        using var ab = Upload(backend, a); using var bb = Upload(backend, b); using var dyb = Upload(backend, dy);
        using var db = backend.Allocate<float>(5);
        using var x = Upload(backend, Rand(3 * 300, 43)); using var sum = backend.Allocate<float>(3);
        var spec = new GemmSpec(true, false, 70, 33, 65);
        var ga = Rand(70 * 65, 44); var gb = Rand(65 * 33, 45); var gc = new float[70 * 33];

        float[] Once(out float[] sums, out float[] gemm)
        {
            backend.BinaryBackward(BinaryOp.Mul, ab, bb, dyb, null, db, shape);
            backend.ReduceSum(x, sum, 3, 300, 1);
            sums = backend.ToArray(sum);
            gemm = IlgpuGemmTests.RunGemm(backend, spec, ga, gb, gc, tiled: true);
            return backend.ToArray(db);
        }

        var db1 = Once(out var s1, out var g1);
        var db2 = Once(out var s2, out var g2);
        Assert.Equal(db1, db2);
        Assert.Equal(s1, s2);
        Assert.Equal(g1, g2);
    }
}
