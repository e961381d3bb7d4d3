using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Models.Tests.Zoo;

public class ResNetTrainingTests
{
    [Theory]
    [InlineData(ResNetShortcut.ZeroPad)]
    [InlineData(ResNetShortcut.Conv)]
    public void A_few_SGD_steps_on_one_random_batch_reduce_the_loss(ResNetShortcut shortcut)
    {
        using var backend = new CpuBackend();
        using var model = new ResNet(new ModuleInit(backend, 11), ResNetSpec.Cifar(20, shortcut), InputSpec.For(1, 16, 16), 10);
        using var optimizer = new Sgd(model.Parameters(), 0.05f, momentum: 0.9f);
        using var x = BackboneForwardTests.RandomImages(backend, 16, 1, 16, 5).Persist();
        using var labels = IntTensor.Labels(backend, Enumerable.Range(0, 16).Select(i => i * 7 % 10).ToArray(), 10);
        var losses = new List<float>();
        for (int step = 0; step < 8; step++)
        {
            using var scope = new TensorScope();
            var loss = F.CrossEntropy(model.Forward(x), labels);
            losses.Add(loss.Item());
            loss.Backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
        Assert.All(losses, l => Assert.True(float.IsFinite(l)));
        Assert.True(losses[^1] < 0.7f * losses[0], $"loss did not fall: {string.Join(", ", losses)}");
    }
}
