using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Prompts;

/// <summary>A prompted model: the backbone's own names plus "prompt.*", prompt-then-backbone forward, one checkpoint file.</summary>
public class PromptedModelTests
{
    [Fact]
    public void Names_are_the_backbones_plus_the_prompt_and_the_forward_runs_the_prompt_first()
    {
        using var backbone = ModelZoo.Create("resnet20", Init(), 1, 12, 12, 10);
        var backboneNames = backbone.NamedParameters().Select(p => p.Name).ToList();
        using var prompted = new PromptedModel(new PadPrompt(Init(), 1, 12, 12), backbone);
        var names = prompted.NamedParameters().Select(p => p.Name).ToList();
        Assert.Equal(["prompt.prompt", .. backboneNames], names);
        Set(prompted.Prompt.Prompt, Random(144, 8, -0.5f, 0.5f));

        prompted.Eval();
        using var scope = new TensorScope();
        var x = Tensor.FromArray(Cpu, Random(2 * 144, 9, 0f, 1f), new Shape(2, 1, 12, 12));
        var expected = backbone.Forward(prompted.Prompt.Forward(x)).ToArray();
        Assert.Equal(expected, prompted.Forward(x).ToArray());
        Assert.Equal(LayerWidths.Of(backbone).ToString(), LayerWidths.Of(prompted).ToString());
    }

    [Fact]
    public void The_prompt_is_saved_and_loaded_with_the_weights_in_one_file()
    {
        string path = Path.Combine(Path.GetTempPath(), $"prompted-{Guid.NewGuid():N}.safetensors");
        try
        {
            var v = Random(144, 10, -0.5f, 0.5f);
            using (var saved = new PromptedModel(new PadPrompt(Init(), 1, 12, 12), ModelZoo.Create("resnet20", Init(), 1, 12, 12, 10)))
            {
                Set(saved.Prompt.Prompt, v);
                Checkpoint.Save(path, saved);
            }
            using var loaded = new PromptedModel(new PadPrompt(Init(), 1, 12, 12), ModelZoo.Create("resnet20", new ModuleInit(Cpu, 2), 1, 12, 12, 10));
            Checkpoint.Load(path, loaded);
            Assert.Equal(v, loaded.Prompt.Prompt.Value.ToArray());

            using var bare = ModelZoo.Create("resnet20", Init(), 1, 12, 12, 10);
            var e = Assert.ThrowsAny<Exception>(() => Checkpoint.Load(path, bare));
            Assert.Contains("prompt.prompt", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_backbone_with_parameters_of_its_own_is_refused()
    {
        using var vit = ModelZoo.Create("vit_tiny", ModuleInit.Undrawn(Cpu), 3, 32, 32, 10);
        using var prompt = new PadPrompt(Init(), 3, 32, 32);
        var e = Assert.Throws<NotSupportedException>(() => new PromptedModel(prompt, vit));
        Assert.Contains("VisionTransformer", e.Message);
    }
}
