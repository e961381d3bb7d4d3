using SparseCore.Pass.Prompts;
using static SparseCore.Pass.Tests.Prompts.PromptTestKit;

namespace SparseCore.Pass.Tests.Prompts;

/// <summary>Prompt specs: every spec <see cref="PromptSpec.Of"/> writes is one <see cref="PromptSpec.Create"/> reads back; malformed ones fail in Validate as in Create.</summary>
public class PromptSpecTests
{
    [Theory]
    [InlineData("pad:2")]
    [InlineData("expansive:3")]
    [InlineData("patch:4")]
    [InlineData("patch:4:random:0")]
    [InlineData("patch:5:random:7")]
    [InlineData("patch:4:random:2147483648")]
    [InlineData("patch:4:random:18446744073709551615")]
    public void A_spec_round_trips_through_its_prompt(string spec)
    {
        PromptSpec.Validate(spec);
        using var prompt = PromptSpec.Create(spec, Init(), 3, 13, 11)!;
        Assert.Equal(spec, PromptSpec.Of(prompt));
    }

    [Fact]
    public void A_random_patch_keeps_its_seed()
    {
        using var prompt = (PatchPrompt)PromptSpec.Create("patch:3:random:3000000000", Init(), 1, 9, 9)!;
        Assert.Equal(3000000000UL, prompt.Seed);
        using var zero = new PatchPrompt(Init(), 1, 9, 9, 3, PatchPlacement.Random);
        using var again = (PatchPrompt)PromptSpec.Create(PromptSpec.Of(zero), Init(), 1, 9, 9)!;
        Assert.Equal(0UL, again.Seed);
    }

    [Fact]
    public void None_is_no_prompt()
    {
        PromptSpec.Validate("none");
        Assert.Null(PromptSpec.Create("none", Init(), 3, 13, 11));
    }

    [Theory]
    [InlineData("patch:4:random:-1", "seed '-1'")]
    [InlineData("patch:4:random:x7", "seed 'x7'")]
    [InlineData("patch:4:random:18446744073709551616", "seed '18446744073709551616'")]
    [InlineData("patch:0", "'0' is not a positive whole number")]
    [InlineData("pad:2.5", "'2.5' is not a positive whole number")]
    [InlineData("patch:4:fixed:1", "expected none, pad[:W]")]
    [InlineData("frame:3", "expected none, pad[:W]")]
    public void Validate_rejects_what_Create_rejects_with_the_same_message(string spec, string message)
    {
        var validated = Assert.Throws<ArgumentException>(() => PromptSpec.Validate(spec));
        Assert.Contains(message, validated.Message);
        Assert.Contains($"prompt '{spec}'", validated.Message);
        var created = Assert.Throws<ArgumentException>(() => PromptSpec.Create(spec, Init(), 3, 13, 11));
        Assert.Equal(validated.Message, created.Message);
    }
}
