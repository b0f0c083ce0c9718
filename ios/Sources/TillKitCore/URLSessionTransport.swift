// TillKit's requests over URLSession. The iOS library has no HTTP client of its own: pass a
// URLSessionTransport to `Cashier.open` and `TerminalAgent.open`.
import Foundation
import Security

/// Sends TillKit's requests with `URLSession`, so the device's trust settings, App Transport
/// Security and proxies apply. No cookies, no cache, no redirects followed.
///
/// A failure before the connection is up (no host, refused, offline, TLS refused) is
/// `HttpTransportError.NotConnected`: TillKit then knows the request was not sent. A timeout is
/// `.Timeout` and anything else `.ConnectionLost`: the sale is then queried, never charged
/// blindly again.
public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession

    /// `trustedCAs`: PEM certificates (a private gateway's CA, a sandbox's) trusted besides the
    /// system's roots for these requests; empty keeps the system's trust alone.
    public init(trustedCAs: [String] = []) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.httpShouldSetCookies = false
        let delegate = SessionDelegate(anchors: trustedCAs.flatMap(certificates(pem:)))
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(request: HttpRequest) async throws -> HttpResponse {
        guard let url = URL(string: request.url) else {
            throw HttpTransportError.NotConnected(reason: "not a URL")
        }
        var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData,
                                    timeoutInterval: Double(request.timeoutMs) / 1000)
        urlRequest.httpMethod = request.method
        for header in request.headers {
            urlRequest.addValue(header.value, forHTTPHeaderField: header.name)
        }
        if !request.body.isEmpty { urlRequest.httpBody = request.body }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch let error as URLError {
            throw transportError(for: error)
        } catch {
            throw HttpTransportError.ConnectionLost(reason: String(describing: type(of: error)))
        }
        guard let http = response as? HTTPURLResponse else {
            throw HttpTransportError.ConnectionLost(reason: "not an HTTP answer")
        }
        let headers = http.allHeaderFields.compactMap { name, value -> HttpHeader? in
            guard let name = name as? String, let value = value as? String else { return nil }
            return HttpHeader(name: name, value: value)
        }
        return HttpResponse(status: Int32(http.statusCode), headers: headers, body: data)
    }
}

/// What a URLError means for the payment: only errors raised before a connection exists are
/// "not sent". URLSession does not say whether a timeout hit while connecting, so a timeout is
/// always "may have been sent" (TillKit queries; it never charges twice).
func transportError(for error: URLError) -> HttpTransportError {
    let reason = "URLError \(error.code.rawValue)"
    switch error.code {
    case .badURL, .unsupportedURL, .cannotFindHost, .dnsLookupFailed, .cannotConnectToHost,
         .notConnectedToInternet, .internationalRoamingOff, .dataNotAllowed, .callIsActive,
         .appTransportSecurityRequiresSecureConnection, .secureConnectionFailed,
         .serverCertificateUntrusted, .serverCertificateHasBadDate,
         .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
         .clientCertificateRejected, .clientCertificateRequired:
        return .NotConnected(reason: reason)
    case .timedOut:
        return .Timeout(reason: reason)
    default:
        return .ConnectionLost(reason: reason)
    }
}

/// The certificates in PEM text (every `CERTIFICATE` block).
func certificates(pem: String) -> [SecCertificate] {
    pem.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst().compactMap { block in
        guard let body = block.components(separatedBy: "-----END CERTIFICATE-----").first,
              let der = Data(base64Encoded: body, options: .ignoreUnknownCharacters) else { return nil }
        return SecCertificateCreateWithData(nil, der as CFData)
    }
}

/// Trusts `anchors` besides the system's roots; refuses redirects.
private final class SessionDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let anchors: [SecCertificate]

    init(anchors: [SecCertificate]) { self.anchors = anchors }

    func urlSession(_ session: URLSession, task: URLSessionTask,
                    willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest) async -> URLRequest? {
        nil
    }

    func urlSession(_ session: URLSession, didReceive challenge: URLAuthenticationChallenge)
        async -> (URLSession.AuthChallengeDisposition, URLCredential?) {
        guard !anchors.isEmpty,
              challenge.protectionSpace.authenticationMethod == NSURLAuthenticationMethodServerTrust,
              let trust = challenge.protectionSpace.serverTrust else {
            return (.performDefaultHandling, nil)
        }
        SecTrustSetAnchorCertificates(trust, anchors as CFArray)
        SecTrustSetAnchorCertificatesOnly(trust, false)
        return SecTrustEvaluateWithError(trust, nil)
            ? (.useCredential, URLCredential(trust: trust))
            : (.cancelAuthenticationChallenge, nil)
    }
}
