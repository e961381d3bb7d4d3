using System.Text.Json;
using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Optim;

/// <summary>
/// <see cref="Adam"/> replays torch.optim.Adam's own steps (tests/fixtures/torch/adam.json, written
/// by tests/fixtures/make_optim_fixtures.py with PyTorch 1.13): L2 decay 1e-4 at a fixed lr, and
/// decay 0.1 under a cosine-decayed lr, on both backends. AdamW replaying the same file misses it,
/// so a decay mix-up cannot pass.
/// </summary>
public sealed class AdamTorchFixtureTests
{
    private const double Relative = 1e-6; // observed: ≤ 1.4e-7 on both backends

    private static readonly Lazy<Backend> Cpu = new(() => new CpuBackend());
    private static readonly Lazy<Backend> IlgpuCpu = new(IlgpuBackend.CreateCpuSimulator);

    private static readonly Lazy<JsonDocument> Fixture = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "fixtures", "torch", "adam.json"))));

    private static Backend BackendNamed(string name) => name == "cpu" ? Cpu.Value : IlgpuCpu.Value;

    [Theory]
    [InlineData("cpu", "l2")]
    [InlineData("cpu", "cosine")]
    [InlineData("ilgpu-cpu", "l2")]
    [InlineData("ilgpu-cpu", "cosine")]
    public void Adam_matches_torch_after_every_step(string backend, string @case)
    {
        var mismatches = Replay(BackendNamed(backend), @case, decoupled: false);
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void AdamW_with_the_same_settings_misses_the_fixture()
    {
        var mismatches = Replay(Cpu.Value, "cosine", decoupled: true);
        Assert.NotEmpty(mismatches);
    }

    /// <summary>Runs the case's steps with Adam (or AdamW) and lists every value off by more than <see cref="Relative"/>.</summary>
    private static List<string> Replay(Backend backend, string @case, bool decoupled)
    {
        var root = Fixture.Value.RootElement;
        var meta = root.GetProperty("meta");
        var tensors = root.GetProperty("tensors");
        var settings = meta.GetProperty("cases").GetProperty(@case);
        int steps = meta.GetProperty("steps").GetInt32(), count = meta.GetProperty("params").GetInt32();
        var betas = meta.GetProperty("betas").EnumerateArray().Select(b => b.GetDouble()).ToArray();
        float eps = (float)meta.GetProperty("eps").GetDouble(), wd = (float)settings.GetProperty("weight_decay").GetDouble();
        var lrs = settings.GetProperty("lr").EnumerateArray().Select(l => (float)l.GetDouble()).ToArray();

        var parameters = Enumerable.Range(0, count).Select(i =>
        {
            var (shape, data) = Read(tensors, $"param{i}");
            return new Parameter($"p{i}", Tensor.FromArray(backend, data, shape));
        }).ToArray();
        using Optimizer optimizer = decoupled
            ? new AdamW(parameters, lrs[0], betas[0], betas[1], eps, wd)
            : new Adam(parameters, lrs[0], betas[0], betas[1], eps, wd);
        var mismatches = new List<string>();
        try
        {
            for (int t = 1; t <= steps; t++)
            {
                optimizer.LearningRate = lrs[t - 1];
                using (var scope = new TensorScope())
                    for (int i = 0; i < count; i++)
                    {
                        var (shape, g) = Read(tensors, $"grad{i}.step{t}");
                        parameters[i].Value.Backward(Tensor.FromArray(backend, g, shape));
                    }
                optimizer.Step();
                optimizer.ZeroGrad();
                for (int i = 0; i < count; i++)
                {
                    var state = optimizer.State[parameters[i]];
                    Compare(mismatches, $"{@case}.param{i}.step{t}", parameters[i].Value.ToArray(), tensors);
                    Compare(mismatches, $"{@case}.exp_avg{i}.step{t}", state[0].ToArray(), tensors);
                    Compare(mismatches, $"{@case}.exp_avg_sq{i}.step{t}", state[1].ToArray(), tensors);
                }
            }
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
        return mismatches;
    }

    /// <summary>
    /// Each value within <see cref="Relative"/> of the tensor's largest: a moment that cancels to a
    /// small value (β·m and (1 − β)·g of opposite signs) keeps the rounding of its terms' scale.
    /// </summary>
    private static void Compare(List<string> mismatches, string name, float[] got, JsonElement tensors)
    {
        var (_, want) = Read(tensors, name);
        Assert.Equal(want.Length, got.Length);
        double tolerance = Relative * want.Max(Math.Abs);
        for (int j = 0; j < want.Length; j++)
            if (!(Math.Abs(got[j] - (double)want[j]) <= tolerance))
                mismatches.Add($"{name}[{j}]: {got[j]:R}, torch {want[j]:R}");
    }

    private static (Shape Shape, float[] Data) Read(JsonElement tensors, string name)
    {
        var t = tensors.GetProperty(name);
        return (new Shape(t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray()),
                t.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray());
    }
}
