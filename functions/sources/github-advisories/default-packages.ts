// Auth0's SDKs across ecosystems: the default package list of a 'github-advisories' source.
import type { PackageRef } from './config-schema.js';

export const DEFAULT_ADVISORY_PACKAGES: readonly PackageRef[] = [
  // JavaScript and Node.js
  { ecosystem: 'npm', name: 'auth0' },
  { ecosystem: 'npm', name: 'auth0-js' },
  { ecosystem: 'npm', name: 'auth0-lock' },
  { ecosystem: 'npm', name: '@auth0/auth0-spa-js' },
  { ecosystem: 'npm', name: '@auth0/auth0-react' },
  { ecosystem: 'npm', name: '@auth0/auth0-angular' },
  { ecosystem: 'npm', name: '@auth0/auth0-vue' },
  { ecosystem: 'npm', name: '@auth0/nextjs-auth0' },
  { ecosystem: 'npm', name: 'express-openid-connect' },
  { ecosystem: 'npm', name: 'express-oauth2-jwt-bearer' },
  { ecosystem: 'npm', name: 'express-jwt' },
  { ecosystem: 'npm', name: 'jsonwebtoken' },
  { ecosystem: 'npm', name: 'jwks-rsa' },
  { ecosystem: 'npm', name: 'passport-auth0' },
  { ecosystem: 'npm', name: 'passport-wsfed-saml2' },
  { ecosystem: 'npm', name: 'react-native-auth0' },
  // Python
  { ecosystem: 'pip', name: 'auth0-python' },
  // Java
  { ecosystem: 'maven', name: 'com.auth0:java-jwt' },
  { ecosystem: 'maven', name: 'com.auth0:jwks-rsa' },
  { ecosystem: 'maven', name: 'com.auth0:auth0' },
  { ecosystem: 'maven', name: 'com.auth0:mvc-auth-commons' },
  { ecosystem: 'maven', name: 'com.auth0.android:auth0' },
  // .NET
  { ecosystem: 'nuget', name: 'Auth0.AuthenticationApi' },
  { ecosystem: 'nuget', name: 'Auth0.ManagementApi' },
  { ecosystem: 'nuget', name: 'Auth0.AspNetCore.Authentication' },
  // PHP
  { ecosystem: 'composer', name: 'auth0/auth0-php' },
  { ecosystem: 'composer', name: 'auth0/login' },
  { ecosystem: 'composer', name: 'auth0/wordpress' },
  // Ruby
  { ecosystem: 'rubygems', name: 'omniauth-auth0' },
  { ecosystem: 'rubygems', name: 'auth0' },
  // Go
  { ecosystem: 'go', name: 'github.com/auth0/go-jwt-middleware' },
  { ecosystem: 'go', name: 'github.com/auth0/go-auth0' },
  // Swift
  { ecosystem: 'swift', name: 'github.com/auth0/Auth0.swift' },
];
