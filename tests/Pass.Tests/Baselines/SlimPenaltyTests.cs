using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Graph;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>Network slimming's sparsity term: exactly λ·sign(γ) added to every prunable layer's γ gradient (0 where γ = 0), built once and applied every step.</summary>
public class SlimPenaltyTests
{
    /// <summary>Gives every γ the gradient G (a fixed random vector per batch-norm) through Σ γ·G.</summary>
    private static Dictionary<string, float[]> Backward(Dictionary<string, Module> modules)
    {
        var grads = new Dictionary<string, float[]>();
        using var scope = new TensorScope();
        Tensor? loss = null;
        int seed = 40;
        foreach (var (name, norm) in modules.Where(m => m.Value is BatchNorm2d).Select(m => (m.Key, (BatchNorm2d)m.Value)))
        {
            grads[name] = Random(norm.Channels, seed++, -1f, 1f);
            var term = F.SumAll(F.Mul(norm.Weight.Value, Tensor.FromArray(Cpu, grads[name], norm.Weight.Value.Shape)));
            loss = loss is null ? term : F.Add(loss, term);
        }
        loss!.Backward();
        return grads;
    }

    [Fact]
    public void Adds_exactly_lambda_times_the_sign_of_gamma_to_every_gamma_gradient()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var modules = Modules(model);
        var gamma = Random(32, 3, -1f, 1f);
        gamma[4] = 0f;
        gamma[9] = -0f;
        Set(((BatchNorm2d)modules["layer2.0.downsample.1"]).Weight, gamma);
        var before = Backward(modules);
        const float lambda = 3e-3f;
        SlimPenalty.Gradient(model, graph, lambda)(model);

        var norms = graph.Layers.Where(l => l.Prunable).Select(l => l.Norm!).ToList();
        Assert.Equal(modules.Values.OfType<BatchNorm2d>().Count(), norms.Count);
        Assert.Contains("layer2.0.downsample.1", norms);
        foreach (var name in norms)
        {
            var norm = (BatchNorm2d)modules[name];
            var g = norm.Weight.Grad!.ToArray();
            var values = norm.Weight.Value.ToArray();
            for (int c = 0; c < g.Length; c++) Assert.Equal(before[name][c] + lambda * MathF.Sign(values[c]), g[c]);
        }
        var downsample = ((BatchNorm2d)modules["layer2.0.downsample.1"]).Weight.Grad!.ToArray();
        Assert.Equal(before["layer2.0.downsample.1"][4], downsample[4]);
        Assert.Equal(before["layer2.0.downsample.1"][9], downsample[9]);
        Assert.Equal(before["layer2.0.downsample.1"][0] + lambda * MathF.Sign(gamma[0]), downsample[0]);
        // β is not penalised.
        Assert.Null(((BatchNorm2d)modules["bn1"]).Bias.Grad);
    }

    [Fact]
    public void The_built_step_adds_the_penalty_each_call_and_only_for_its_model()
    {
        using var model = ResNet20();
        using var other = ResNet20();
        var modules = Modules(model);
        var step = SlimPenalty.Gradient(model, ChannelGraph.Of(model), 2e-3f);
        var gamma = ((BatchNorm2d)modules["bn1"]).Weight;
        var before = Backward(modules)["bn1"];
        step(model);
        step(model);
        var values = gamma.Value.ToArray();
        var g = gamma.Grad!.ToArray();
        for (int c = 0; c < g.Length; c++) Assert.Equal(before[c] + 2e-3f * MathF.Sign(values[c]) + 2e-3f * MathF.Sign(values[c]), g[c]);
        Assert.Contains("another", Assert.Throws<ArgumentException>(() => step(other)).Message);
    }

    [Fact]
    public void Before_backward_there_is_no_gradient_and_the_call_says_when_to_make_it()
    {
        using var model = ResNet20();
        var e = Assert.Throws<InvalidOperationException>(() => SlimPenalty.Gradient(model, ChannelGraph.Of(model), 1e-4f)(model));
        Assert.Contains("'bn1'", e.Message);
        Assert.Contains("Backward", e.Message);
    }

    [Fact]
    public void Frozen_gammas_are_skipped_as_the_optimizer_skips_them()
    {
        using var model = ResNet20();
        foreach (var p in model.Parameters()) p.Frozen = true;
        SlimPenalty.Gradient(model, ChannelGraph.Of(model), 1e-4f)(model);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void VGG16_without_batch_norm_and_a_bad_lambda_are_refused()
    {
        using var vgg = NarrowVgg(batchNorm: false);
        var e = Assert.Throws<ArgumentException>(() => SlimPenalty.Gradient(vgg, ChannelGraph.Of(vgg), 1e-4f));
        Assert.Contains("'features.0'", e.Message);
        using var model = ResNet20();
        Assert.Throws<ArgumentOutOfRangeException>(() => SlimPenalty.Gradient(model, ChannelGraph.Of(model), -1e-4f));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlimPenalty.Gradient(model, ChannelGraph.Of(model), float.NaN)(model));
    }
}

/// <summary>
/// The penalty runs on the device: on ILGPU's simulator (ResNet-8, for time) a call waits for the
/// device 0 times, where reading γ and its gradient back cost 2 waits per prunable layer, and it
/// adds exactly λ·sign(γ).
/// </summary>
public class SlimPenaltyDeviceTests
{
    [Fact]
    public void The_penalty_never_waits_for_the_device_and_adds_lambda_sign_gamma()
    {
        using var backend = SparseCore.Kernels.Ilgpu.IlgpuBackend.CreateCpuSimulator();
        using var model = new ResNet(new ModuleInit(backend, 1), ResNetSpec.Cifar(8), InputSpec.For(3, 8, 8), 10);
        var norms = model.NamedModules().Where(m => m.Module is BatchNorm2d).Select(m => (BatchNorm2d)m.Module).ToList();
        using (var scope = new TensorScope())
        {
            Tensor? loss = null;
            int seed = 70;
            foreach (var norm in norms)
            {
                var term = F.SumAll(F.Mul(norm.Weight.Value, Tensor.FromArray(backend, Random(norm.Channels, seed++, -1f, 1f), norm.Weight.Value.Shape)));
                loss = loss is null ? term : F.Add(loss, term);
            }
            loss!.Backward();
        }
        var before = norms.Select(n => n.Weight.Grad!.ToArray()).ToList();
        var step = SlimPenalty.Gradient(model, ChannelGraph.Of(model), 2e-3f);
        long waits = backend.HostWaits;
        step(model);
        Assert.Equal(0, backend.HostWaits - waits);
        var prunable = ChannelGraph.Of(model).Layers.Where(l => l.Prunable).Select(l => l.Norm).ToHashSet();
        var named = model.NamedModules().Where(m => m.Module is BatchNorm2d).Select(m => m.Name).ToList();
        for (int i = 0; i < norms.Count; i++)
        {
            var gamma = norms[i].Weight.Value.ToArray();
            var grad = norms[i].Weight.Grad!.ToArray();
            bool penalised = prunable.Contains(named[i]);
            for (int c = 0; c < grad.Length; c++)
                Assert.Equal(before[i][c] + (penalised ? 2e-3f * MathF.Sign(gamma[c]) : 0f), grad[c]);
        }
    }
}
