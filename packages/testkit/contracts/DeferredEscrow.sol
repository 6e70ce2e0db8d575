// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

interface IERC20Min {
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

/** Brings `amount` of `token` from `payer` to the escrow (msg.sender) for channel `channelId`. */
interface IDepositCollector {
    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external;
}

interface IERC1271Min {
    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4);
}

/**
 * @title DeferredEscrow — the escrow of the x402 deferred (batch-settlement) rail.
 *
 * A channel is identified by the EIP-712 hash of its ChannelConfig under this contract's domain
 * ("x402 Batch Settlement", "1", chain id, this address): the same identity, domain and Voucher type
 * as x402's batch-settlement EVM binding, so vouchers signed by its client verify here. The
 * gasless deposit goes through a collector (DeferredDepositCollector) as in that binding.
 *
 * `balance` is everything deposited minus everything withdrawn (claims do not lower it), and
 * `totalClaimed` is everything paid to the receiver; a voucher for cumulative amount C pays
 * `min(C, balance) - totalClaimed` when positive, so replays and stale vouchers pay nothing.
 * The domain separator is computed per call from address(this), so the runtime code can be placed at
 * any address (e.g. the canonical one, with anvil_setCode).
 */
contract DeferredEscrow {
    struct ChannelConfig {
        address payer;
        address payerAuthorizer;
        address receiver;
        address receiverAuthorizer;
        address token;
        uint40 withdrawDelay;
        bytes32 salt;
    }

    struct Voucher {
        ChannelConfig channel;
        uint128 maxClaimableAmount;
    }

    struct VoucherClaim {
        Voucher voucher;
        bytes signature;
    }

    struct Channel {
        uint128 balance;
        uint128 totalClaimed;
    }

    struct PendingWithdrawal {
        uint128 amount;
        uint40 initiatedAt;
    }

    bytes32 public constant CHANNEL_CONFIG_TYPEHASH = keccak256(
        "ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)"
    );
    bytes32 public constant VOUCHER_TYPEHASH = keccak256("Voucher(bytes32 channelId,uint128 maxClaimableAmount)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("x402 Batch Settlement");
    bytes32 internal constant VERSION_HASH = keccak256("1");
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    bytes4 internal constant ERC1271_MAGIC_VALUE = 0x1626ba7e;

    /** Bounds of a channel's withdrawal delay, as the batch-settlement binding's contract. */
    uint40 public constant MIN_WITHDRAW_DELAY = 900;
    uint40 public constant MAX_WITHDRAW_DELAY = 2_592_000;

    /** Why a claim entry paid nothing although its channel was funded. */
    uint8 public constant SKIP_BAD_SIGNATURE = 1;

    /** Reentrancy lock: a token or a collector must not re-enter (a nested deposit would count twice). */
    uint256 private locked;

    modifier nonReentrant() {
        require(locked == 0, "DeferredEscrow: reentrant call");
        locked = 1;
        _;
        locked = 0;
    }

    mapping(bytes32 => Channel) public channels;
    mapping(bytes32 => PendingWithdrawal) public pendingWithdrawals;

    event Deposited(bytes32 indexed channelId, address indexed payer, address indexed sender, uint128 amount, uint128 balance);
    event Claimed(bytes32 indexed channelId, address indexed receiver, uint128 amount, uint128 totalClaimed);
    event ClaimSkipped(bytes32 indexed channelId, uint8 reason);
    event WithdrawInitiated(bytes32 indexed channelId, uint128 amount, uint40 finalizableAt);
    event Withdrawn(bytes32 indexed channelId, address indexed payer, uint128 amount);

    function domainSeparator() public view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function getChannelId(ChannelConfig calldata config) public view returns (bytes32) {
        bytes32 structHash = keccak256(
            abi.encode(
                CHANNEL_CONFIG_TYPEHASH,
                config.payer,
                config.payerAuthorizer,
                config.receiver,
                config.receiverAuthorizer,
                config.token,
                config.withdrawDelay,
                config.salt
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    function getVoucherDigest(bytes32 channelId, uint128 maxClaimableAmount) public view returns (bytes32) {
        bytes32 structHash = keccak256(abi.encode(VOUCHER_TYPEHASH, channelId, maxClaimableAmount));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /**
     * Funds a channel (anyone may; only the payer can withdraw). With `collector` zero, `amount` is
     * pulled from the caller after an ERC-20 approve. Otherwise the collector brings the tokens — the
     * ERC-3009 one redeems the payer's ReceiveWithAuthorization from `collectorData`, a gasless
     * deposit. The same signature as the batch-settlement binding's contract; the channel is
     * credited with what actually arrived, never with what a collector claims.
     */
    function deposit(ChannelConfig calldata config, uint128 amount, address collector, bytes calldata collectorData)
        external
        nonReentrant
    {
        bytes32 channelId = _checkedChannelId(config);
        uint256 before = IERC20Min(config.token).balanceOf(address(this));
        if (collector == address(0)) {
            _call(config.token, abi.encodeCall(IERC20Min.transferFrom, (msg.sender, address(this), amount)));
        } else {
            IDepositCollector(collector).collect(config.payer, config.token, amount, channelId, collectorData);
        }
        uint256 received = IERC20Min(config.token).balanceOf(address(this)) - before;
        require(received > 0 && received <= amount, "DeferredEscrow: unexpected amount received");
        Channel storage channel = channels[channelId];
        channel.balance += uint128(received);
        emit Deposited(channelId, config.payer, msg.sender, uint128(received), channel.balance);
    }

    /**
     * Redeems many channels in one transaction. Each entry pays its receiver
     * `min(maxClaimableAmount, balance) - totalClaimed` when positive; an entry whose signature is not
     * the payer's (or payer authorizer's) is skipped with ClaimSkipped, so one bad voucher does not
     * block the batch. Anyone may submit: the funds only ever go to the channel's receiver.
     */
    function claim(VoucherClaim[] calldata voucherClaims) external nonReentrant {
        for (uint256 i = 0; i < voucherClaims.length; i++) {
            VoucherClaim calldata entry = voucherClaims[i];
            ChannelConfig calldata config = entry.voucher.channel;
            bytes32 channelId = getChannelId(config);
            Channel storage channel = channels[channelId];
            uint128 cap = entry.voucher.maxClaimableAmount < channel.balance
                ? entry.voucher.maxClaimableAmount
                : channel.balance;
            if (cap <= channel.totalClaimed) continue;
            address signer = config.payerAuthorizer != address(0) ? config.payerAuthorizer : config.payer;
            bytes32 digest = getVoucherDigest(channelId, entry.voucher.maxClaimableAmount);
            if (!_isValidSignature(signer, digest, entry.signature)) {
                emit ClaimSkipped(channelId, SKIP_BAD_SIGNATURE);
                continue;
            }
            uint128 amount = cap - channel.totalClaimed;
            channel.totalClaimed = cap;
            emit Claimed(channelId, config.receiver, amount, cap);
            _call(config.token, abi.encodeCall(IERC20Min.transfer, (config.receiver, amount)));
        }
    }

    /** Starts a withdrawal by the payer; the receiver can still claim until it is finalized. */
    function initiateWithdraw(ChannelConfig calldata config, uint128 amount) external {
        require(msg.sender == config.payer, "DeferredEscrow: caller is not the payer");
        require(amount > 0, "DeferredEscrow: zero amount");
        bytes32 channelId = getChannelId(config);
        require(pendingWithdrawals[channelId].initiatedAt == 0, "DeferredEscrow: withdrawal pending");
        uint40 now40 = uint40(block.timestamp);
        pendingWithdrawals[channelId] = PendingWithdrawal(amount, now40);
        emit WithdrawInitiated(channelId, amount, now40 + config.withdrawDelay);
    }

    /** Pays the payer what is left of the pending withdrawal once the channel's delay has passed. */
    function finalizeWithdraw(ChannelConfig calldata config) external nonReentrant {
        bytes32 channelId = getChannelId(config);
        PendingWithdrawal memory pending = pendingWithdrawals[channelId];
        require(pending.initiatedAt != 0, "DeferredEscrow: no withdrawal pending");
        require(
            block.timestamp >= uint256(pending.initiatedAt) + config.withdrawDelay,
            "DeferredEscrow: withdrawal delay not over"
        );
        delete pendingWithdrawals[channelId];
        Channel storage channel = channels[channelId];
        uint128 unclaimed = channel.balance - channel.totalClaimed;
        uint128 amount = pending.amount < unclaimed ? pending.amount : unclaimed;
        channel.balance -= amount;
        emit Withdrawn(channelId, config.payer, amount);
        if (amount > 0) _call(config.token, abi.encodeCall(IERC20Min.transfer, (config.payer, amount)));
    }

    function _checkedChannelId(ChannelConfig calldata config) private view returns (bytes32) {
        require(config.payer != address(0) && config.receiver != address(0), "DeferredEscrow: zero address");
        require(config.token.code.length > 0, "DeferredEscrow: token has no code");
        require(
            config.withdrawDelay >= MIN_WITHDRAW_DELAY && config.withdrawDelay <= MAX_WITHDRAW_DELAY,
            "DeferredEscrow: withdraw delay out of range"
        );
        return getChannelId(config);
    }

    /** A token call that must succeed and return true or nothing (USDC returns true). */
    function _call(address token, bytes memory data) private {
        (bool ok, bytes memory result) = token.call(data);
        require(ok && (result.length == 0 || abi.decode(result, (bool))), "DeferredEscrow: token transfer failed");
    }

    /** EIP-1271 for an address with code; otherwise ECDSA with low s and v 27/28. Never reverts. */
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        if (signer.code.length > 0) {
            (bool ok, bytes memory result) =
                signer.staticcall(abi.encodeCall(IERC1271Min.isValidSignature, (digest, signature)));
            return ok && result.length >= 32 && abi.decode(result, (bytes32)) == bytes32(ERC1271_MAGIC_VALUE);
        }
        if (signature.length != 65) return false;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) return false;
        address recovered = ecrecover(digest, v, r, s);
        return recovered != address(0) && recovered == signer;
    }
}
