using System.IO.Pipelines;
using AspNetStreaming.Http.Ranges;
using AspNetStreaming.Producers;
using CsCheck;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>The Range header's evaluation over random headers (valid, odd and broken forms) and lengths: it never
/// throws, every range lies in the representation, ranges are sorted and never overlap or touch, and a multipart body
/// is exactly as long as its announced Content-Length and no longer than the representation plus part headers.</summary>
public sealed class RangePropertyTests(ITestOutputHelper output)
{
    private const int MaxRanges = 16;

    // One range-spec: "a-b", "a-", "-n", or something broken.
    private static readonly Gen<string> Spec = Gen.OneOf(
        Gen.Select(Gen.Long[0, 3000], Gen.Long[0, 3000], (a, b) => $"{a}-{b}"),
        Gen.Long[0, 3000].Select(a => $"{a}-"),
        Gen.Long[0, 3000].Select(n => $"-{n}"),
        Gen.OneOf("", " ", "-", "--1", "1--2", "a-b", "1-2-3", "99999999999999999999-", "-99999999999999999999", "\t5-6 ", "0x10-20", "+1-2", "1 - 2"));

    private static readonly Gen<string> Header = Gen.Select(
        Gen.OneOf("bytes=", "BYTES=", "bytes =", "items=", "bytes", "=", ""),
        Spec.Array[0, 20],
        Gen.OneOf(",", ", ", " ,", ",,"),
        (unit, specs, separator) => unit + string.Join(separator, specs));

    [Fact]
    public void EvaluationStaysInTheRepresentationAndNeverOverlaps()
        => PropertyRun.Check(output, "Range evaluation", Gen.Select(Header, Gen.Long[0, 2500]), input =>
        {
            var (header, length) = input;
            var evaluation = ByteRangeParser.Evaluate(header, length, MaxRanges);
            switch (evaluation.Outcome)
            {
                case RangeOutcome.Partial:
                    Assert.NotEmpty(evaluation.Ranges);
                    Assert.InRange(evaluation.Ranges.Count, 1, MaxRanges);
                    long total = 0, previousEnd = -2;
                    foreach (var range in evaluation.Ranges)
                    {
                        Assert.True(range.Length >= 1 && range.Start >= 0 && range.End < length, $"{header} over {length}: {range}");
                        Assert.True(range.Start > previousEnd + 1, $"{header} over {length}: ranges overlap, touch or are unsorted");
                        previousEnd = range.End;
                        total += range.Length;
                    }

                    Assert.True(total <= length, $"{header} over {length}: {total} bytes in ranges");
                    break;
                case RangeOutcome.NotSatisfiable:
                    Assert.Empty(evaluation.Ranges);
                    Assert.True(length > 0, "an empty representation ignores Range");
                    break;
                default:
                    Assert.Empty(evaluation.Ranges);
                    break;
            }
        }, cases: 20_000, stream: 1);

    [Fact]
    public async Task AMultipartBodyIsExactlyItsAnnouncedLength()
        => await PropertyRun.CheckAsync(output, "multipart/byteranges length", Gen.Select(Header, Gen.Int[1, 2500], Gen.Int[1, 300]), async input =>
        {
            var (header, length, readSize) = input;
            var evaluation = ByteRangeParser.Evaluate(header, length, MaxRanges);
            if (evaluation.Outcome != RangeOutcome.Partial || evaluation.Ranges.Count < 2)
            {
                return;
            }

            var content = new byte[length];
            new Random(length).NextBytes(content);
            await using var body = MultipartByteRanges.Create(new MemorySource(content), evaluation.Ranges, "application/x-test", length, readSize, out var type);
            var pipe = new Pipe();
            var produce = Task.Run(async () =>
            {
                await body.ProduceAsync(pipe.Writer);
                await pipe.Writer.CompleteAsync();
            });
            long written = 0;
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                written += result.Buffer.Length;
                pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await produce;
            Assert.Equal(body.Length, written);
            var partHeaders = evaluation.Ranges.Count * 200 + 100; // boundary, type and Content-Range per part
            Assert.True(written <= length + partHeaders, $"{header} over {length}: {written} bytes");
            Assert.StartsWith("multipart/byteranges; boundary=", type, StringComparison.Ordinal);
        }, cases: 2_000, stream: 2);
}
