// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDepositCollector, IERC20Min} from "./DeferredEscrow.sol";

interface IERC3009Receive {
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external;
}

/**
 * @title DeferredDepositCollector — the gasless deposit of the deferred rail's escrow: redeems the
 * payer's EIP-3009 ReceiveWithAuthorization (to = this contract, nonce =
 * keccak256(abi.encode(channelId, salt)), so an authorization funds exactly one channel) and hands the
 * tokens to the escrow. `collectorData` is abi.encode(validAfter, validBefore, salt, signature), as
 * the batch-settlement binding's ERC-3009 collector takes it.
 *
 * Only the escrow may call it: anyone else relaying a payer's authorization would move the payer's
 * tokens into the escrow without crediting their channel.
 */
contract DeferredDepositCollector is IDepositCollector {
    address public immutable escrow;

    constructor(address escrow_) {
        escrow = escrow_;
    }

    function collect(address payer, address token, uint256 amount, bytes32 channelId, bytes calldata collectorData)
        external
    {
        require(msg.sender == escrow, "DeferredDepositCollector: caller is not the escrow");
        (uint256 validAfter, uint256 validBefore, uint256 salt, bytes memory signature) =
            abi.decode(collectorData, (uint256, uint256, uint256, bytes));
        bytes32 nonce = keccak256(abi.encode(channelId, salt));
        IERC3009Receive(token).receiveWithAuthorization(
            payer, address(this), amount, validAfter, validBefore, nonce, signature
        );
        (bool ok, bytes memory result) = token.call(abi.encodeCall(IERC20Min.transfer, (escrow, amount)));
        require(ok && (result.length == 0 || abi.decode(result, (bool))), "DeferredDepositCollector: transfer failed");
    }
}
