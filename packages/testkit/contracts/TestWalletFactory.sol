// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {TestWallet} from "./TestWallet.sol";

/**
 * @title TestWalletFactory — deploys TestWallets at CREATE2 addresses known before deployment,
 * so a wallet can sign (EIP-6492) before it exists. Deploying twice returns the same wallet.
 */
contract TestWalletFactory {
    event WalletCreated(address indexed wallet, address indexed owner, bytes32 salt);

    function walletAddress(address owner, bytes32 salt) public view returns (address) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(TestWallet).creationCode, abi.encode(owner)));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, codeHash)))));
    }

    function createWallet(address owner, bytes32 salt) external returns (address wallet) {
        wallet = walletAddress(owner, salt);
        if (wallet.code.length == 0) {
            new TestWallet{salt: salt}(owner);
            emit WalletCreated(wallet, owner, salt);
        }
    }
}
