using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Tests.Uploads;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace AspNetStreaming.Tests.Sample;

/// <summary>
/// Two sample-web instances (real processes) on one Azurite container behind a real reverse proxy (YARP, round-robin):
/// the deployment of an app scaled out. A resumable upload whose requests alternate between the instances completes
/// verified; either instance serves it with ranges; two uploads of one name at once end as one whole file; an
/// instance killed mid-append loses only that append, and the client resumes on the other.
/// </summary>
[Collection(AzuriteServers.Name)]
public sealed class SampleWebBehindProxyTests(AzuriteServer azurite) : IDisposable
{
    private const string Resumable = "/uploads/resumable/";
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task AnUploadWhoseRequestsAlternateBetweenInstances_CompletesVerified_AndEitherServesItWithRanges()
    {
        await using var cluster = await Cluster.StartAsync(azurite, _temp);
        var data = UploadServer.RandomBytes(3_000_000, seed: 11);
        using var create = Creation("alternating.bin", data[..500_000], data.Length);
        create.Headers.Add("Repr-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:");
        using var created = await cluster.Client.SendAsync(create);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var location = created.Headers.Location!.OriginalString;

        HttpResponseMessage? last = null;
        for (var offset = 500_000; offset < data.Length; offset += 500_000)
        {
            last?.Dispose();
            last = await cluster.Client.SendAsync(Append(location, offset, data[offset..(offset + 500_000)]));
            Assert.True(last.IsSuccessStatusCode, $"append at {offset}: {(int)last.StatusCode} {await last.Content.ReadAsStringAsync()}");
        }

        Assert.Equal(HttpStatusCode.Created, last!.StatusCode); // reaching Upload-Length completes it
        Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:", last.Headers.GetValues("Repr-Digest").Single());
        last.Dispose();
        var id = location[Resumable.Length..];
        Assert.Equal(["a", "b"], cluster.Routed.Where(r => r.Path.EndsWith("/alternating.bin", StringComparison.Ordinal) || r.Path.EndsWith(id, StringComparison.Ordinal))
            .Select(r => r.Destination).Distinct().Order());

        foreach (var instance in cluster.Instances)
        {
            using var direct = new HttpClient { BaseAddress = instance.Http };
            Assert.Equal(data, await direct.GetByteArrayAsync("/files/alternating.bin"));
            using var ranges = new HttpRequestMessage(HttpMethod.Get, "/files/alternating.bin");
            ranges.Headers.Range = new RangeHeaderValue(2_999_000, 2_999_999);
            using var range = await direct.SendAsync(ranges);
            Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
            Assert.Equal(data[2_999_000..], await range.Content.ReadAsByteArrayAsync());

            // The page's own assets stay on the disk while /files serves the container.
            using var script = await direct.GetAsync("/page/app.js");
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        }
    }

    [Fact]
    public async Task TwoUploadsOfOneNameThroughBothInstancesAtOnce_EndAsOneWholeFile()
    {
        await using var cluster = await Cluster.StartAsync(azurite, _temp);
        var first = UploadServer.RandomBytes(4_000_000, seed: 12);
        var second = UploadServer.RandomBytes(4_000_000, seed: 13);

        var answers = await Task.WhenAll(
            cluster.Client.PutAsync("/uploads/same.bin", new ByteArrayContent(first)),
            cluster.Client.PutAsync("/uploads/same.bin", new ByteArrayContent(second)));

        Assert.Equal(["a", "b"], cluster.Routed.Where(r => r.Method == "PUT").Select(r => r.Destination).Order());
        Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.Conflict }));
        Assert.Contains(answers, answer => answer.IsSuccessStatusCode);
        var stored = await cluster.Client.GetByteArrayAsync("/files/same.bin");
        Assert.True(stored.AsSpan().SequenceEqual(first) || stored.AsSpan().SequenceEqual(second), "the stored file is one of the two uploads, whole");
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task AnInstanceKilledMidAppend_LosesOnlyThatAppend_AndTheClientResumesOnTheOther()
    {
        await using var cluster = await Cluster.StartAsync(azurite, _temp);
        var data = UploadServer.RandomBytes(4_000_000, seed: 14);
        using var created = await cluster.Client.SendAsync(Creation("killed.bin", data[..262_144], data.Length));
        var location = created.Headers.Location!.OriginalString;
        var upload = cluster.Container.GetBlockBlobClient(".resumable/" + location[Resumable.Length..]);

        // An append that has sent 1 MB of its body when its instance dies.
        using var stop = new CancellationTokenSource();
        var body = new StalledContent(data.AsMemory(262_144, 1_048_576), stop.Token);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = body };
        AddAppendHeaders(patch, 262_144, complete: false);
        patch.Content.Headers.ContentLength = data.Length - 262_144;
        var sending = cluster.Client.SendAsync(patch);
        await Eventually.AssertAsync(() => upload.GetBlockList(BlockListTypes.Uncommitted).Value.UncommittedBlocks.Any(), "the append's first blocks were staged");
        var victim = cluster.Routed.Last(r => r.Method == "PATCH").Destination;
        await cluster.Instance(victim).KillAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(async () => (await sending).EnsureSuccessStatusCode());

        // The client asks where to resume (its retries meet the dead instance first, perhaps) and finishes on the other.
        using var head = await cluster.WithRetriesAsync(() => new HttpRequestMessage(HttpMethod.Head, location));
        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
        Assert.Equal("262144", head.Headers.GetValues("Upload-Offset").Single()); // nothing of the lost append counted
        Assert.False((await cluster.Container.GetBlobClient("killed.bin").ExistsAsync()).Value);
        using var resumed = await cluster.WithRetriesAsync(() => Append(location, 262_144, data[262_144..]));
        Assert.Equal(HttpStatusCode.Created, resumed.StatusCode);
        var survivor = cluster.Instances.Single(instance => !instance.HasExited);
        using var direct = new HttpClient { BaseAddress = survivor.Http };
        Assert.Equal(data, await direct.GetByteArrayAsync("/files/killed.bin"));
    }

    private static HttpRequestMessage Creation(string name, byte[] first, long length)
    {
        var create = new HttpRequestMessage(HttpMethod.Post, Resumable + name) { Content = new ByteArrayContent(first) };
        create.Headers.Add("Upload-Complete", "?0");
        create.Headers.Add("Upload-Length", length.ToString(CultureInfo.InvariantCulture));
        return create;
    }

    private static HttpRequestMessage Append(string location, long offset, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(body) };
        AddAppendHeaders(request, offset, complete: false);
        return request;
    }

    private static void AddAppendHeaders(HttpRequestMessage request, long offset, bool complete)
    {
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/partial-upload");
        request.Headers.Add("Upload-Offset", offset.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Upload-Complete", complete ? "?1" : "?0");
    }

    /// <summary>A body that sends its first part, then waits until it is stopped (and fails there).</summary>
    private sealed class StalledContent(ReadOnlyMemory<byte> first, CancellationToken stop) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(first, stop);
            await stream.FlushAsync(stop);
            await Task.Delay(Timeout.Infinite, stop);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Two instances and the proxy in front, which records where it sent each request.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private Cluster(SampleWebProcess[] instances, KestrelHost proxy, BlobContainerClient container, ConcurrentQueue<(string Method, string Path, string Destination)> routed)
        {
            Instances = instances;
            Proxy = proxy;
            Container = container;
            Routed = routed;
            Client = new HttpClient { BaseAddress = proxy.BaseAddress };
        }

        public SampleWebProcess[] Instances { get; }

        public KestrelHost Proxy { get; }

        public BlobContainerClient Container { get; }

        public ConcurrentQueue<(string Method, string Path, string Destination)> Routed { get; }

        public HttpClient Client { get; }

        public SampleWebProcess Instance(string destination) => Instances[destination == "a" ? 0 : 1];

        public static async Task<Cluster> StartAsync(AzuriteServer azurite, TempDirectory temp)
        {
            var container = await azurite.CreateContainerAsync();
            var instances = await Task.WhenAll(new[] { "a", "b" }.Select(name => SampleWebProcess.StartAsync(
            [
                "Streaming:DefaultUrls=http://127.0.0.1:0",
                "Streaming:Storage:Provider=AzureBlob",
                $"Streaming:Storage:AzureBlob:ConnectionString={azurite.ConnectionString}",
                $"Streaming:Storage:AzureBlob:Container={container.Name}",
                "Streaming:Storage:AzureBlob:BlockSize=262144",
                $"Streaming:Uploads:Root={temp["uploads-" + name]}",
            ])));
            var routed = new ConcurrentQueue<(string, string, string)>();
            var proxy = await KestrelHost.StartAsync(app => app.MapReverseProxy(pipeline =>
            {
                pipeline.UseLoadBalancing();
                pipeline.Use((context, next) =>
                {
                    var destination = context.Features.Get<IReverseProxyFeature>()!.AvailableDestinations.Single().DestinationId;
                    routed.Enqueue((context.Request.Method, context.Request.Path.Value ?? "", destination));
                    return next();
                });
            }), builder => builder.Services.AddReverseProxy().LoadFromMemory(
                [new RouteConfig { RouteId = "all", ClusterId = "sample", Match = new RouteMatch { Path = "{**rest}" } }],
                [new ClusterConfig
                {
                    ClusterId = "sample",
                    LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
                    Destinations = new Dictionary<string, DestinationConfig>
                    {
                        ["a"] = new() { Address = instances[0].Http.ToString() },
                        ["b"] = new() { Address = instances[1].Http.ToString() },
                    },
                }]));
            return new Cluster(instances, proxy, container, routed);
        }

        /// <summary>Sends a request through the proxy as a resumable client does after a failure: again, while the
        /// proxy answers 502 (it sent it to an instance that is gone).</summary>
        public async Task<HttpResponseMessage> WithRetriesAsync(Func<HttpRequestMessage> request)
        {
            for (var attempt = 1; ; attempt++)
            {
                using var message = request();
                var response = await Client.SendAsync(message);
                if (response.StatusCode != HttpStatusCode.BadGateway || attempt == 4)
                {
                    return response;
                }

                response.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Proxy.DisposeAsync();
            foreach (var instance in Instances)
            {
                await instance.DisposeAsync();
            }

            await Container.DeleteIfExistsAsync();
        }
    }
}
